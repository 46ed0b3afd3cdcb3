"""Automations: the time-based triggers and the rule templates (English, Português)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "auto.trigger.no_customer_reply": ("No customer reply for…", "Sem resposta do cliente por…"),
    "auto.trigger.no_agent_reply": ("No agent reply for…", "Sem resposta do atendente por…"),
    "auto.trigger.idle": ("Conversation idle for…", "Conversa parada por…"),
    "auto.trigger.schedule": ("On a schedule", "Em horário programado"),
    "auto.minutes": ("Minutes", "Minutos"),
    "auto.at": ("Time (HH:MM)", "Horário (HH:MM)"),
    "auto.days": ("Days", "Dias"),
    "auto.days.every_day": ("Every day", "Todos os dias"),
    "auto.days.weekdays": ("Weekdays (Mon–Fri)", "Dias úteis (seg–sex)"),
    "auto.days.chosen_days": ("Chosen days of the week", "Dias da semana escolhidos"),
    "auto.days.month_day": ("A day of the month", "Um dia do mês"),
    "auto.week_days": ("Days of the week", "Dias da semana"),
    "auto.week.mon": ("Mon", "Seg"),
    "auto.week.tue": ("Tue", "Ter"),
    "auto.week.wed": ("Wed", "Qua"),
    "auto.week.thu": ("Thu", "Qui"),
    "auto.week.fri": ("Fri", "Sex"),
    "auto.week.sat": ("Sat", "Sáb"),
    "auto.week.sun": ("Sun", "Dom"),
    "auto.month_day": ("Day of the month (1–31)", "Dia do mês (1–31)"),
    "auto.summary_timer": ("Time-based", "Por tempo"),
    "auto.why_timer": (
        "Time-based: it runs on its own clock, not on a message.",
        "Por tempo: roda no próprio relógio, não numa mensagem.",
    ),
    "error.auto_timer_minutes_invalid": (
        "Minutes: a whole number from 1 to 43200 (30 days).",
        "Minutos: um número inteiro de 1 a 43200 (30 dias).",
    ),
    "error.auto_time_invalid": (
        "Time: use HH:MM, such as 09:00.",
        "Horário: use HH:MM, por exemplo 09:00.",
    ),
    "error.auto_days_invalid": ("Days: choose which days.", "Dias: escolha os dias."),
    "error.auto_week_days_invalid": (
        "Days of the week: tick at least one day.",
        "Dias da semana: marque pelo menos um dia.",
    ),
    "error.auto_month_day_invalid": (
        "Day of the month: a whole number from 1 to 31 (in a shorter month, its last day).",
        "Dia do mês: um número inteiro de 1 a 31 (num mês mais curto, o último dia).",
    ),
    "error.auto_template_unknown": ("That template does not exist.", "Esse modelo não existe."),
    "auto.templates": ("Templates", "Modelos"),
    "auto.templates_title": ("Rule templates", "Modelos de regra"),
    "auto.templates_intro": (
        "A template creates a rule that starts switched off: review it, then turn it on.",
        "Um modelo cria uma regra desativada: revise e depois ative.",
    ),
    "auto.use_template": ("Use template", "Usar modelo"),
    "auto.template_created": (
        "Rule “{name}” created, switched off: review it and turn it on.",
        "Regra “{name}” criada, desativada: revise e ative.",
    ),
    "auto.template_ooh_off": (
        "Out-of-hours reply: check its text below, switch it on and save. It is sent"
        " once per conversation per closed period.",
        "Resposta fora do horário: confira o texto abaixo, ative e salve. Ela é enviada"
        " uma vez por conversa em cada período fechado.",
    ),
    "auto.template_ooh_on": (
        "The out-of-hours reply is on: its text is below, sent once per conversation per"
        " closed period.",
        "A resposta fora do horário está ativa: o texto está abaixo, enviado uma vez por"
        " conversa em cada período fechado.",
    ),
    "auto.close": ("Close", "Fechar"),
}
