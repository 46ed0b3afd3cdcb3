"""Automations → Menus: the chatbot menu builder and the conversation owner: (English, Português)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "menu.intro": (
        "Numbered menus answer customers with options: they reply with a number, an emoji number or the option's words. 0 or # goes back; “atendente” or “humano” calls a person.",
        "Menus numerados respondem ao cliente com opções: ele responde com o número, o emoji do número ou as palavras da opção. 0 ou # volta; “atendente” ou “humano” chama uma pessoa.",
    ),
    "menu.new": ("New menu", "Novo menu"),
    "menu.none_yet": ("No menus yet.", "Nenhum menu ainda."),
    "menu.edit": ("Edit", "Editar"),
    "menu.delete": ("Delete menu", "Excluir menu"),
    "menu.options_count": ("{count} options", "{count} opções"),
    "menu.starts_new": ("Starts on new conversations", "Inicia em conversas novas"),
    "menu.name": ("Menu name", "Nome do menu"),
    "menu.message": ("Menu message", "Mensagem do menu"),
    "menu.message_hint": (
        "Sent first; the options follow as lines “*1.* Sales”. Variables such as {{contact.first_name}} work.",
        "Enviada primeiro; as opções vêm em linhas “*1.* Vendas”. Variáveis como {{contact.first_name}} funcionam.",
    ),
    "menu.options": ("Options", "Opções"),
    "menu.option": ("Option {number}", "Opção {number}"),
    "menu.option_label": ("Option label", "Rótulo da opção"),
    "menu.option_target": ("Option target", "Destino da opção"),
    "menu.option_message": ("Option message", "Mensagem da opção"),
    "menu.option_department": ("Option department", "Departamento da opção"),
    "menu.option_agent": ("Option agent", "Atendente da opção"),
    "menu.option_rule": ("Option rule", "Regra da opção"),
    "menu.pick": ("Choose…", "Escolha…"),
    "menu.target.menu": ("Sub-menu", "Submenu"),
    "menu.target.department": (
        "Department (hand to a person)",
        "Departamento (passa a uma pessoa)",
    ),
    "menu.target.agent": ("Agent", "Atendente"),
    "menu.target.ai": ("AI assistant", "Assistente de IA"),
    "menu.target.rule": ("A rule's actions", "Ações de uma regra"),
    "menu.add_option": ("Add option", "Adicionar opção"),
    "menu.add_sub_option": ("Add sub-option", "Adicionar subopção"),
    "menu.remove_option": ("Remove option", "Remover opção"),
    "menu.keywords": ("Human keywords", "Palavras para chamar uma pessoa"),
    "menu.keywords_hint": (
        "Separated by commas; empty: atendente, humano, human, agent.",
        "Separadas por vírgulas; vazio: atendente, humano, human, agent.",
    ),
    "menu.reprompt_limit": ("Re-prompts before a person", "Repetições antes de uma pessoa"),
    "menu.reprompt_message": ("Re-prompt message", "Mensagem de repetição"),
    "menu.reprompt_default": (
        "Sorry, I did not understand. Please reply with the number of an option.",
        "Desculpe, não entendi. Responda com o número de uma opção.",
    ),
    # Sent to customers under a sub-menu's options (not the root's), in the tenant's language.
    "menu.back_hint": ("Reply # or 0 to go back.", "Responda # ou 0 para voltar."),
    "menu.handoff_message": ("Hand-over message", "Mensagem ao passar a uma pessoa"),
    "menu.handoff_default": (
        "One moment, an attendant will answer you.",
        "Um momento, um atendente vai falar com você.",
    ),
    "menu.timeout_minutes": ("Timeout (minutes)", "Tempo limite (minutos)"),
    "menu.timeout_action": ("On timeout", "Ao esgotar o tempo"),
    "menu.timeout.human": ("Hand to a person", "Passar a uma pessoa"),
    "menu.timeout.end": ("End the menu", "Encerrar o menu"),
    "menu.timeout.restart": ("Show the menu again", "Mostrar o menu de novo"),
    "menu.expiry_minutes": ("Session expiry (minutes)", "Validade da sessão (minutos)"),
    "menu.start_new": (
        "Start on the first message of a new conversation",
        "Iniciar na primeira mensagem de uma conversa nova",
    ),
    "menu.enabled": ("Menu enabled", "Menu ativo"),
    "menu.save": ("Save menu", "Salvar menu"),
    "menu.cancel": ("Back to menus", "Voltar aos menus"),
    "menu.saved": ("Menu saved.", "Menu salvo."),
    "menu.deleted": ("Menu deleted.", "Menu excluído."),
    "menu.preview": ("Preview (WhatsApp)", "Prévia (WhatsApp)"),
    "menu.send_hint": (
        "To greet customers with a menu, switch on “Start on the first message of a new conversation” in it.",
        "Para receber os clientes com um menu, ative nele “Iniciar na primeira mensagem de uma conversa nova”.",
    ),
    # The conversation owner in the inbox header.
    "owner.label": ("Owner", "Responsável"),
    "owner.human": ("Human", "Humano"),
    "owner.flow": ("Flow", "Fluxo"),
    "owner.ai": ("AI", "IA"),
    "owner.none": ("None", "Nenhum"),
    "owner.change": ("Conversation owner", "Responsável pela conversa"),
    "owner.take_over": ("Take over", "Assumir"),
    "owner.changed": ("Owner changed.", "Responsável alterado."),
    # Errors naming the field.
    "error.menu_name_required": ("Menu name: type a name.", "Nome do menu: escreva um nome."),
    "error.menu_name_too_long": (
        "Menu name: at most 120 characters.",
        "Nome do menu: no máximo 120 caracteres.",
    ),
    "error.menu_name_taken": (
        "Menu name: another menu has this name.",
        "Nome do menu: outro menu já tem esse nome.",
    ),
    "error.menu_message_required": (
        "Menu message: type the message sent before the options.",
        "Mensagem do menu: escreva a mensagem enviada antes das opções.",
    ),
    "error.menu_message_too_long": (
        "Menu message: at most 1,000 characters.",
        "Mensagem do menu: no máximo 1.000 caracteres.",
    ),
    "error.menu_options_required": (
        "Options: add at least one.",
        "Opções: adicione pelo menos uma.",
    ),
    "error.menu_options_too_many": ("Options: at most 10.", "Opções: no máximo 10."),
    "error.menu_option_too_many": (
        "Option {field}: at most 10 sub-options.",
        "Opção {field}: no máximo 10 subopções.",
    ),
    "error.menu_option_label_required": (
        "Option {field}: type a label.",
        "Opção {field}: escreva um rótulo.",
    ),
    "error.menu_option_label_too_long": (
        "Option {field}: the label has at most 60 characters.",
        "Opção {field}: o rótulo tem no máximo 60 caracteres.",
    ),
    "error.menu_option_target_invalid": (
        "Option {field}: choose a target.",
        "Opção {field}: escolha um destino.",
    ),
    "error.menu_option_too_deep": (
        "Option {field}: menus go at most 5 levels deep.",
        "Opção {field}: menus têm no máximo 5 níveis.",
    ),
    "error.menu_option_message_required": (
        "Option {field}: a sub-menu needs its message.",
        "Opção {field}: um submenu precisa da sua mensagem.",
    ),
    "error.menu_option_options_required": (
        "Option {field}: a sub-menu needs at least one sub-option.",
        "Opção {field}: um submenu precisa de pelo menos uma subopção.",
    ),
    "error.menu_option_department_id_required": (
        "Option {field}: choose a department.",
        "Opção {field}: escolha um departamento.",
    ),
    "error.menu_option_user_id_required": (
        "Option {field}: choose an agent.",
        "Opção {field}: escolha um atendente.",
    ),
    "error.menu_option_rule_id_required": (
        "Option {field}: choose a rule.",
        "Opção {field}: escolha uma regra.",
    ),
    "error.menu_reprompt_limit_invalid": (
        "Re-prompts before a person: a whole number from 0 to 10.",
        "Repetições antes de uma pessoa: um número inteiro de 0 a 10.",
    ),
    "error.menu_timeout_minutes_invalid": (
        "Timeout: a whole number of minutes (1 to 10080).",
        "Tempo limite: um número inteiro de minutos (1 a 10080).",
    ),
    "error.menu_expiry_minutes_invalid": (
        "Session expiry: a whole number of minutes (1 to 43200).",
        "Validade da sessão: um número inteiro de minutos (1 a 43200).",
    ),
    "error.menu_timeout_action_invalid": (
        "On timeout: choose what happens.",
        "Ao esgotar o tempo: escolha o que acontece.",
    ),
    "error.auto_menu_required": ("Menu: choose a menu.", "Menu: escolha um menu."),
    "auto.action.send_menu": ("Send menu", "Enviar menu"),
}
