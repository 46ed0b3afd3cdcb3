"""Quick replies and departments settings, media routes, voice notes and notifications:
(English, Português)."""

MESSAGES: dict[str, tuple[str, str]] = {
    # Settings → Quick replies
    "qr.title": ("Quick replies", "Respostas rápidas"),
    "qr.back": ("← Settings", "← Configurações"),
    "qr.intro": (
        "Saved answers for the whole team: in a conversation, type / and the shortcut to insert one.",
        "Respostas salvas para toda a equipe: numa conversa, digite / e o atalho para inserir uma.",
    ),
    "qr.new": ("New quick reply", "Nova resposta rápida"),
    "qr.edit_title": ("Edit /{shortcut}", "Editar /{shortcut}"),
    "qr.shortcut": ("Shortcut", "Atalho"),
    "qr.shortcut_hint": (
        "Letters, digits, - and _, up to 32 characters.",
        "Letras, números, - e _, até 32 caracteres.",
    ),
    "qr.text": ("Text", "Texto"),
    "qr.create": ("Add quick reply", "Adicionar resposta rápida"),
    "qr.save": ("Save", "Salvar"),
    "qr.cancel": ("Cancel", "Cancelar"),
    "qr.edit": ("Edit", "Editar"),
    "qr.delete": ("Delete", "Excluir"),
    "qr.actions": ("Actions", "Ações"),
    "qr.empty": ("No quick replies yet.", "Nenhuma resposta rápida ainda."),
    "qr.saved": ("Quick reply /{shortcut} saved.", "Resposta rápida /{shortcut} salva."),
    "qr.deleted": ("Quick reply /{shortcut} deleted.", "Resposta rápida /{shortcut} excluída."),
    # Settings → Departments
    "dept.title": ("Departments", "Departamentos"),
    "dept.back": ("← Settings", "← Configurações"),
    "dept.intro": (
        "Agents see the conversations of their departments, their own and the unassigned ones; owners and admins see all.",
        "Atendentes veem as conversas dos seus departamentos, as suas e as sem responsável; proprietários e administradores veem todas.",
    ),
    "dept.new": ("New department", "Novo departamento"),
    "dept.name": ("Department name", "Nome do departamento"),
    "dept.create": ("Create department", "Criar departamento"),
    "dept.rename": ("Rename", "Renomear"),
    "dept.delete": ("Delete", "Excluir"),
    "dept.delete_hint": (
        "Deleting a department keeps its conversations: they go back to the general queue.",
        "Excluir um departamento mantém as conversas: elas voltam para a fila geral.",
    ),
    "dept.members": ("Members", "Membros"),
    "dept.no_members": ("No members yet.", "Nenhum membro ainda."),
    "dept.add_member": ("Add member", "Adicionar membro"),
    "dept.add": ("Add", "Adicionar"),
    "dept.remove": ("Remove", "Remover"),
    "dept.remove_label": ("Remove {name} from {department}", "Remover {name} de {department}"),
    "dept.choose_user": ("Choose a person…", "Escolha uma pessoa…"),
    "dept.empty": ("No departments yet.", "Nenhum departamento ainda."),
    "dept.only_managers": (
        "Only owners and admins can change departments.",
        "Só proprietários e administradores podem alterar departamentos.",
    ),
    "dept.created": ("Department {name} created.", "Departamento {name} criado."),
    "dept.renamed": ("Department renamed to {name}.", "Departamento renomeado para {name}."),
    "dept.deleted": ("Department {name} deleted.", "Departamento {name} excluído."),
    # HTTP routes for media and voice notes
    "media.sign_in": (
        "Your session has ended. Sign in again to continue.",
        "Sua sessão terminou. Entre novamente para continuar.",
    ),
    "voice.too_large": (
        "The voice note is too large (at most {limit_mb} MB).",
        "O áudio é grande demais (no máximo {limit_mb} MB).",
    ),
    "voice.record": ("Record a voice note", "Gravar áudio"),
    "voice.stop": ("Stop and send", "Parar e enviar"),
    "voice.cancel": ("Cancel recording", "Cancelar gravação"),
    "voice.recording": ("Recording…", "Gravando…"),
    "voice.unsupported": (
        "Voice notes need a microphone and a secure (https) connection.",
        "Áudios precisam de um microfone e de uma conexão segura (https).",
    ),
    # Browser notifications
    "notify.toggle": ("Notify me of new messages", "Avisar-me de novas mensagens"),
    "notify.new_message": ("New message from {name}", "Nova mensagem de {name}"),
}
