"""Automations: the files rules and menus send (English, Português)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "auto.upload_file": ("Upload a file to send", "Enviar um arquivo para anexar"),
    "auto.files_hint": (
        "Images, PDFs, audio or video; then pick it under Attachment.",
        "Imagens, PDFs, áudio ou vídeo; depois escolha em Anexo.",
    ),
    "auto.file_uploaded": ("{name} is ready to attach.", "{name} está pronto para anexar."),
    "auto.files_list": ("Files to send", "Arquivos para enviar"),
    "auto.files_empty": (
        "No files yet: upload one to attach it to a message.",
        "Nenhum arquivo ainda: envie um para anexá-lo a uma mensagem.",
    ),
    "auto.files_more": ("and {count} more under Attachment", "e mais {count} em Anexo"),
    "auto.attachment": ("Attachment", "Anexo"),
    "auto.no_attachment": ("No attachment", "Sem anexo"),
    "auto.webhook_secret_kept": (
        "The secret is stored encrypted and never shown again; leave it blank to keep the saved one.",
        "O segredo fica guardado criptografado e não aparece de novo; deixe em branco para manter o salvo.",
    ),
    "error.auto_media_invalid": (
        "Attachment: choose one of this company's files.",
        "Anexo: escolha um dos arquivos desta empresa.",
    ),
    "error.auto_files_too_many": (
        "Attachment: this company already keeps 200 files for automations.",
        "Anexo: esta empresa já guarda 200 arquivos para automações.",
    ),
    "error.menu_media_invalid": (
        "Attachment: choose one of this company's files.",
        "Anexo: escolha um dos arquivos desta empresa.",
    ),
    "error.menu_option_media_id_required": (
        "Option {field}: choose one of this company's files.",
        "Opção {field}: escolha um dos arquivos desta empresa.",
    ),
}
