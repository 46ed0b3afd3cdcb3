"""The inbox composer: drafts, quick replies, the attachment preview, voice notes and new
conversations: (English, Português)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "voice.reason_conversion_failed": (
        "This audio could not be converted into a WhatsApp voice note; the original file is kept.",
        "Não foi possível converter este áudio em mensagem de voz do WhatsApp; "
        "o arquivo original foi mantido.",
    ),
    "voice.retry_record_again": (
        "This audio cannot be sent as it is: record it again, or send another file.",
        "Este áudio não pode ser enviado como está: grave de novo ou envie outro arquivo.",
    ),
    "cmp.close_quick_replies": ("Close quick replies", "Fechar respostas rápidas"),
    "cmp.quick_reply_keys": (
        "↑ ↓ to choose · Enter or Tab to insert · Esc to close",
        "↑ ↓ para escolher · Enter ou Tab para inserir · Esc para fechar",
    ),
    "cmp.attach_title": ("Send a file", "Enviar arquivo"),
    "cmp.caption": ("Add a caption", "Adicione uma legenda"),
    "cmp.attach_description": (
        "Nothing is sent until you press Send.",
        "Nada é enviado até você clicar em Enviar.",
    ),
    "cmp.new_description": (
        "The customer receives the first message from the number you choose.",
        "O cliente recebe a primeira mensagem pelo número que você escolher.",
    ),
    "cmp.attach_voice_hint": (
        "Audio is sent as a voice note.",
        "Áudios são enviados como mensagem de voz.",
    ),
    "cmp.new_conversation": ("New conversation", "Nova conversa"),
    "cmp.new_phone": ("Customer's phone", "Telefone do cliente"),
    "cmp.new_phone_hint": (
        "With area code, e.g. 11 98765-4321 or +55 11 98765-4321",
        "Com DDD, por exemplo 11 98765-4321 ou +55 11 98765-4321",
    ),
    "cmp.new_name": ("Name (optional)", "Nome (opcional)"),
    "cmp.new_from": ("Send from", "Enviar pelo número"),
    "cmp.new_text": ("First message", "Primeira mensagem"),
    "cmp.new_start": ("Start conversation", "Iniciar conversa"),
    "error.cmp_number_required": (
        "Choose the number to send from.",
        "Escolha o número pelo qual enviar.",
    ),
}
