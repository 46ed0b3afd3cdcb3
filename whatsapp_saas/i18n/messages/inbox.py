"""Inbox and contacts strings: (English, Português)."""

MESSAGES: dict[str, tuple[str, str]] = {
    # conversation states and list filters (domain values the UI shows)
    "inbox.status_open": ("Open", "Aberta"),
    "inbox.status_pending": ("Pending", "Pendente"),
    "inbox.status_resolved": ("Resolved", "Resolvida"),
    "inbox.filter_mine": ("Mine", "Minhas"),
    "inbox.filter_unassigned": ("Unassigned", "Sem responsável"),
    "inbox.filter_all": ("All", "Todas"),
    "inbox.message_failed": ("Not sent: {reason}", "Não enviada: {reason}"),
    "inbox.media_pending": ("Downloading media…", "Baixando mídia…"),
    "inbox.media_failed": ("Media could not be downloaded", "Não foi possível baixar a mídia"),
    # errors
    "error.inbox_message_empty": ("Type a message.", "Digite uma mensagem."),
    "error.inbox_message_too_long": (
        "The message is too long (at most {limit} characters).",
        "A mensagem é longa demais (no máximo {limit} caracteres).",
    ),
    "error.inbox_media_empty": ("The file is empty.", "O arquivo está vazio."),
    "error.inbox_media_kind_invalid": (
        "This kind of file cannot be sent.",
        "Este tipo de arquivo não pode ser enviado.",
    ),
    "error.inbox_media_too_large": (
        "The file is too large: {size_mb} MB (at most {limit_mb} MB for {kind}).",
        "O arquivo é grande demais: {size_mb} MB (no máximo {limit_mb} MB para {kind}).",
    ),
    "error.inbox_media_type_not_allowed": (
        "Files of type {mimetype} cannot be sent as {kind}.",
        "Arquivos do tipo {mimetype} não podem ser enviados como {kind}.",
    ),
    "error.inbox_media_not_failed": (
        "Only a failed download can be retried.",
        "Só é possível tentar de novo um download que falhou.",
    ),
    "error.inbox_media_unavailable": (
        "This file is not available (yet).",
        "Este arquivo não está disponível (ainda).",
    ),
    "error.inbox_not_failed": (
        "Only a failed message can be sent again.",
        "Só é possível reenviar uma mensagem que falhou.",
    ),
    "error.inbox_quoted_not_found": (
        "The message you are replying to is not in this conversation.",
        "A mensagem respondida não está nesta conversa.",
    ),
    "error.inbox_user_not_assignable": (
        "Choose an active member of your team.",
        "Escolha um membro ativo da sua equipe.",
    ),
    "error.inbox_status_invalid": ("Choose a valid status.", "Escolha um status válido."),
    "error.inbox_cursor_invalid": (
        "The list changed; reload the page.",
        "A lista mudou; recarregue a página.",
    ),
    "error.inbox_department_name_required": (
        "Enter the department name.",
        "Informe o nome do departamento.",
    ),
    "error.inbox_department_name_taken": (
        "A department with this name already exists.",
        "Já existe um departamento com este nome.",
    ),
    "error.inbox_quick_reply_shortcut_invalid": (
        "Use 1 to 32 letters, digits, dashes or underscores for the shortcut.",
        "Use de 1 a 32 letras, números, hífens ou sublinhados no atalho.",
    ),
    "error.inbox_quick_reply_taken": (
        "The shortcut /{shortcut} is already in use.",
        "O atalho /{shortcut} já está em uso.",
    ),
    "error.inbox_quick_reply_text_required": (
        "Enter the reply text.",
        "Informe o texto da resposta.",
    ),
    "contacts.error_phone_invalid": (
        "Enter a valid phone number with country code, e.g. +55 11 99999-0000.",
        "Informe um telefone válido com DDI, por exemplo +55 11 99999-0000.",
    ),
    "contacts.error_merge_self": (
        "A contact cannot be merged into itself.",
        "Um contato não pode ser mesclado com ele mesmo.",
    ),
    "contacts.error_merge_merged": (
        "This contact was already merged into another one.",
        "Este contato já foi mesclado com outro.",
    ),
}
