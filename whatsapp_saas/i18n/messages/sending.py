"""Settings → Sending (the send governor): (English, Português)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "sending.title": ("Sending limits", "Limites de envio"),
    "sending.link": ("Sending limits", "Limites de envio"),
    "sending.intro": (
        "Protect your numbers from bans: campaigns and scheduled messages wait for quiet hours and respect these limits; replies in a live conversation do not wait for quiet hours. Leave a field empty to use the default.",
        "Proteja seus números contra bloqueios: campanhas e mensagens agendadas esperam o horário de silêncio e respeitam estes limites; respostas numa conversa em andamento não esperam. Deixe um campo vazio para usar o padrão.",
    ),
    "sending.company": ("Company", "Empresa"),
    "sending.numbers": ("Per number", "Por número"),
    "sending.quiet_start": ("Quiet hours start", "Início do silêncio"),
    "sending.quiet_end": ("Quiet hours end", "Fim do silêncio"),
    "sending.per_minute": ("Sends per minute (company)", "Envios por minuto (empresa)"),
    "sending.per_day": ("Bulk sends per day (company)", "Envios em massa por dia (empresa)"),
    "sending.rate_count": ("Sends per window", "Envios por janela"),
    "sending.rate_window": ("Window (seconds)", "Janela (segundos)"),
    "sending.daily_cap": ("Bulk daily cap", "Limite diário em massa"),
    "sending.warmup_days": ("Warm-up days", "Dias de aquecimento"),
    "sending.today": ("Applied today", "Aplicado hoje"),
    "sending.error_not_a_number": ("“{value}” is not a number.", "“{value}” não é um número."),
    "sending.error_rate_zero": (
        "Sends per window and the window must be at least 1: with 0 the number could send nothing. Leave the field empty to use the default.",
        "Envios por janela e a janela devem ser pelo menos 1: com 0 o número não enviaria nada. Deixe o campo vazio para usar o padrão.",
    ),
    "sending.warmup_day": (
        "Warm-up: day {day} of {days} since the number was linked",
        "Aquecimento: dia {day} de {days} desde que o número foi conectado",
    ),
    "sending.warmup_pending": (
        "Warm-up starts when the number is linked",
        "O aquecimento começa quando o número for conectado",
    ),
}
