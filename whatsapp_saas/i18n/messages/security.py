"""Upload limits, request caps and the media quota: (English, Português)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "http.body_too_large": (
        "This request is too large (the limit is {limit_mb} MB).",
        "Esta requisição é grande demais (o limite é {limit_mb} MB).",
    ),
    "upload.file_too_large": (
        "This file cannot be sent: files up to {limit_mb} MB.",
        "Este arquivo não pode ser enviado: arquivos de até {limit_mb} MB.",
    ),
    "upload.csv_too_large": (
        "The CSV file has {size_mb} MB; the limit is {limit_mb} MB. Split it into smaller files.",
        "O arquivo CSV tem {size_mb} MB; o limite é {limit_mb} MB. Divida-o em arquivos menores.",
    ),
    "media.quota_full": (
        "Your company's media storage has no room for this file ({size}): {used} of {quota} used. Remove old attachments or ask for a larger quota.",
        "O armazenamento de mídia da sua empresa não tem espaço para este arquivo ({size}): {used} de {quota} usados. Remova anexos antigos ou peça uma cota maior.",
    ),
    "settings.media_title": ("Media storage", "Armazenamento de mídia"),
    "settings.media_usage": ("{used} of {quota} used", "{used} de {quota} usados"),
}
