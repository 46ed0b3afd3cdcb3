"""Shell, accounts, dashboard and settings strings: (English, Português)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "app.name": ("WhatsApp Desk", "WhatsApp Desk"),
    "app.tagline": (
        "Answer your customers on WhatsApp, together.",
        "Atenda seus clientes no WhatsApp, em equipe.",
    ),
    "error.phone_invalid": (
        "Not a valid phone number. Include the area code, e.g. (11) 98765-4321 or +55 11 98765-4321.",
        "Telefone inválido. Inclua o DDD, por exemplo (11) 98765-4321 ou +55 11 98765-4321.",
    ),
    # navigation
    "nav.dashboard": ("Dashboard", "Painel"),
    "nav.whatsapp": ("WhatsApp", "WhatsApp"),
    "nav.inbox": ("Inbox", "Caixa de entrada"),
    "nav.contacts": ("Contacts", "Contatos"),
    "nav.automations": ("Automations", "Automações"),
    "nav.ai": ("AI", "IA"),
    "nav.scheduling": ("Scheduling", "Agendamentos"),
    "nav.settings": ("Settings", "Configurações"),
    "nav.sign_out": ("Sign out", "Sair"),
    "nav.language": ("Language", "Idioma"),
    "nav.simulator": ("Simulated phone", "Celular simulado"),
    # auth forms
    "auth.email": ("Email", "E-mail"),
    "auth.password": ("Password", "Senha"),
    "auth.sign_in": ("Sign in", "Entrar"),
    "auth.sign_in_title": ("Sign in to your account", "Entre na sua conta"),
    "auth.create_account": ("Create account", "Criar conta"),
    "auth.create_account_title": ("Create your company account", "Crie a conta da sua empresa"),
    "auth.company_name": ("Company name", "Nome da empresa"),
    "auth.name": ("Name", "Nome"),
    "auth.no_account": ("No account yet?", "Ainda não tem conta?"),
    "auth.have_account": ("Already have an account?", "Já tem conta?"),
    "auth.password_hint": ("At least {min} characters.", "Pelo menos {min} caracteres."),
    "auth.working": ("Please wait…", "Aguarde…"),
    "auth.session_ended": (
        "Your session has ended. Please sign in again.",
        "Sua sessão terminou. Entre novamente.",
    ),
    "invite.title": ("Join {company}", "Entrar em {company}"),
    "invite.intro": (
        "You were invited as {email}. Choose a password to finish.",
        "Você foi convidado como {email}. Escolha uma senha para concluir.",
    ),
    "invite.accept": ("Accept invitation", "Aceitar convite"),
    "invite.accepted": (
        "Your account is ready. Sign in with your email and password.",
        "Sua conta está pronta. Entre com seu e-mail e senha.",
    ),
    # dashboard
    "dashboard.title": ("Dashboard", "Painel"),
    "dashboard.welcome": ("Welcome, {name}", "Bem-vindo(a), {name}"),
    "dashboard.users": ("Users", "Usuários"),
    "dashboard.active_users": ("Active users", "Usuários ativos"),
    "dashboard.pending_invites": ("Pending invitations", "Convites pendentes"),
    "dashboard.numbers": ("WhatsApp numbers", "Números de WhatsApp"),
    "dashboard.connected_numbers": ("Connected numbers", "Números conectados"),
    # placeholder pages
    "placeholder.title": ("Not built yet", "Ainda não construído"),
    "placeholder.body": (
        "This part of the product is not available yet. It is on the roadmap.",
        "Esta parte do produto ainda não está disponível. Ela está no nosso plano.",
    ),
    # settings / users
    "settings.title": ("Settings", "Configurações"),
    "settings.users": ("Users", "Usuários"),
    "settings.preferences": ("Preferences", "Preferências"),
    "settings.timezone": ("Time zone", "Fuso horário"),
    "settings.save": ("Save", "Salvar"),
    "settings.saved": ("Saved.", "Salvo."),
    "settings.read_receipts": (
        "Send read receipts (blue ticks) when an attendant opens a conversation",
        "Enviar confirmação de leitura (tiques azuis) quando um atendente abre a conversa",
    ),
    "users.role": ("Role", "Função"),
    "users.status": ("Status", "Situação"),
    "users.created": ("Created", "Criado em"),
    "users.last_login": ("Last sign-in", "Último acesso"),
    "users.never": ("never", "nunca"),
    "users.active": ("Active", "Ativo"),
    "users.disabled": ("Disabled", "Desativado"),
    "users.disable": ("Disable", "Desativar"),
    "users.enable": ("Enable", "Reativar"),
    "users.actions": ("Actions", "Ações"),
    "users.invite": ("Invite user", "Convidar usuário"),
    "users.invite_send": ("Create invitation", "Criar convite"),
    "users.invite_link": (
        "Send this link to {email}. It works once and expires in {hours} hours:",
        "Envie este link para {email}. Ele funciona uma vez e expira em {hours} horas:",
    ),
    "users.invite_emailed": (
        "Invitation e-mailed to {email}. You can also send this link; it works once and "
        "expires in {hours} hours:",
        "Convite enviado por e-mail para {email}. Você também pode enviar este link; ele "
        "funciona uma vez e expira em {hours} horas:",
    ),
    "users.invite_email_failed": (
        "The e-mail to {email} could not be sent. Send this link yourself; it works once and "
        "expires in {hours} hours:",
        "Não foi possível enviar o e-mail para {email}. Envie você este link; ele funciona "
        "uma vez e expira em {hours} horas:",
    ),
    "users.copy_link": ("Copy link", "Copiar link"),
    "users.link_copied": ("Link copied.", "Link copiado."),
    "mail.invite_subject": (
        "{inviter} invited you to {company}",
        "{inviter} convidou você para {company}",
    ),
    "mail.invite_body": (
        "Hello {name},\n\n{inviter} invited you to answer customers for {company} on "
        "WhatsApp.\n\nOpen this link to choose your password and sign in (it works once and "
        "expires in {hours} hours):\n\n{link}\n\nIf you were not expecting this, ignore "
        "this e-mail.\n",
        "Olá, {name},\n\n{inviter} convidou você para atender os clientes de {company} pelo "
        "WhatsApp.\n\nAbra este link para escolher sua senha e entrar (ele funciona uma vez "
        "e expira em {hours} horas):\n\n{link}\n\nSe você não esperava este convite, "
        "ignore este e-mail.\n",
    ),
    "users.pending": ("Pending invitations", "Convites pendentes"),
    "users.expires": ("Expires", "Expira em"),
    "users.revoke": ("Revoke", "Revogar"),
    "users.only_managers": (
        "Only owners and admins can manage users.",
        "Apenas proprietários e administradores podem gerenciar usuários.",
    ),
    "role.owner": ("Owner", "Proprietário"),
    "role.admin": ("Admin", "Administrador"),
    "role.agent": ("Agent", "Atendente"),
    # errors
    "error.generic": (
        "Something went wrong. Please try again.",
        "Algo deu errado. Tente novamente.",
    ),
    "error.permission_denied": (
        "You are not allowed to do that.",
        "Você não tem permissão para fazer isso.",
    ),
    "error.not_found": ("Not found.", "Não encontrado."),
    "error.email_invalid": ("Enter a valid email address.", "Informe um e-mail válido."),
    "error.email_taken": (
        "An account with this email already exists.",
        "Já existe uma conta com este e-mail.",
    ),
    "error.name_required": ("Enter a name.", "Informe um nome."),
    "error.company_required": ("Enter the company name.", "Informe o nome da empresa."),
    "error.too_long": (
        "Too long (at most {limit} characters).",
        "Muito longo (no máximo {limit} caracteres).",
    ),
    "error.password_too_short": (
        "The password must have at least {min} characters.",
        "A senha precisa ter pelo menos {min} caracteres.",
    ),
    "error.invalid_credentials": ("Wrong email or password.", "E-mail ou senha incorretos."),
    "error.account_disabled": (
        "This account has been disabled. Ask an administrator.",
        "Esta conta foi desativada. Fale com um administrador.",
    ),
    "error.too_many_attempts": (
        "Too many failed sign-in attempts. Try again in {minutes} minutes.",
        "Muitas tentativas de acesso sem sucesso. Tente novamente em {minutes} minutos.",
    ),
    "error.too_many_requests": (
        "Too many attempts from here. Try again in {minutes} minutes.",
        "Muitas tentativas a partir daqui. Tente novamente em {minutes} minutos.",
    ),
    "error.try_again_in_seconds": (
        "Too many sign-in attempts. Try again in {seconds} seconds.",
        "Muitas tentativas de acesso. Tente novamente em {seconds} segundos.",
    ),
    "error.sign_in_code_invalid": (
        "The sign-in took too long. Please sign in again.",
        "O acesso demorou demais. Entre novamente.",
    ),
    "nav.company": ("Company", "Empresa"),
    "invite.has_account": (
        "You already have an account with this email: enter your password to join.",
        "Você já tem uma conta com este e-mail: informe sua senha para entrar na equipe.",
    ),
    "error.already_member": (
        "This person is already on your team.",
        "Esta pessoa já faz parte da sua equipe.",
    ),
    "error.invite_invalid": (
        "This invitation is invalid, expired or already used.",
        "Este convite é inválido, expirou ou já foi usado.",
    ),
    "error.role_invalid": ("Choose a valid role.", "Escolha uma função válida."),
    "error.cannot_disable_self": (
        "You cannot disable yourself.",
        "Você não pode desativar a si mesmo.",
    ),
    "error.cannot_change_owner": (
        "The owner's account cannot be changed here.",
        "A conta do proprietário não pode ser alterada aqui.",
    ),
    "error.timezone_invalid": ("Choose a valid time zone.", "Escolha um fuso horário válido."),
    # time
    "time.just_now": ("just now", "agora mesmo"),
}
