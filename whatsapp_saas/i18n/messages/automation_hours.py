"""A number's or a department's own business hours, the hand-over alert, presence:
(English, Português)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "auto.hours_for_label": ("Hours for", "Horário de"),
    "auto.hours_for.company": ("Company", "Empresa"),
    "auto.hours_for.number": ("Number: {name}", "Número: {name}"),
    "auto.hours_for.department": ("Department: {name}", "Departamento: {name}"),
    "auto.uses_company_hours": (
        "Uses the company's hours. Saving gives it hours of its own.",
        "Usa o horário da empresa. Ao salvar, passa a ter horário próprio.",
    ),
    "auto.use_company_hours": ("Use company hours", "Usar o horário da empresa"),
    "auto.hours_reset": (
        "Now uses the company's hours.",
        "Agora usa o horário da empresa.",
    ),
    "auto.company_reply_note": (
        "The out-of-hours reply, the grace time and the pauses are the company's, for every "
        "number and department.",
        "A resposta fora do horário, a tolerância e as pausas são as da empresa, para todos "
        "os números e departamentos.",
    ),
    "auto.hours_applied.company": (
        "Business hours used: company hours",
        "Horário usado: horário da empresa",
    ),
    "auto.hours_applied.number": (
        "Business hours used: {name} number hours",
        "Horário usado: horário do número {name}",
    ),
    "auto.hours_applied.department": (
        "Business hours used: {name} department hours",
        "Horário usado: horário do departamento {name}",
    ),
    "error.auto_hours_for_invalid": (
        "Choose the company, a number or a department.",
        "Escolha a empresa, um número ou um departamento.",
    ),
    # Hand to a human: the inbox's alert and the conversation's note.
    "ibx.handoff_alert": (
        "Customer waiting for a human: {name}",
        "Cliente aguardando atendimento humano: {name}",
    ),
    "ibx.handoff_open": ("Open conversation", "Abrir conversa"),
    "ibx.handoff_dismiss": ("Dismiss", "Dispensar"),
    "ibx.sys_handoff": (
        "Automation “{to}” handed the conversation to a person: the customer is waiting",
        "A automação “{to}” passou a conversa para uma pessoa: o cliente está aguardando",
    ),
}
