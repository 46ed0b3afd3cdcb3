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
}
