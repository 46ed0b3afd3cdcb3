"""Automations: the "Send menu" action in the rule builder, the named automation badge in the
inbox, and the bot guard's Safety card: (English, Português)."""

MESSAGES: dict[str, tuple[str, str]] = {
    # The rule builder's "Send menu" action.
    "auto.menu": ("Menu to send", "Menu a enviar"),  # not "Menu": the nav toggle is
    "auto.choose_menu": ("Choose a menu", "Escolha um menu"),
    "auto.menu_off": ("disabled", "desativado"),
    # The inbox badge on a message an automation sent: the rule's or the menu's name.
    "ibx.sent_by_automation_named": ("Automation · {name}", "Automação · {name}"),
    # The Business hours tab's Safety card (the bot guard: automations.botguard).
    "auto.safety": ("Safety", "Segurança"),
    "auto.safety_intro": (
        "Automations never answer the numbers listed here, nor a sender that writes faster "
        "than the limit (another bot, most likely). A limit of 0 turns that check off.",
        "As automações nunca respondem aos números listados aqui, nem a quem escreve mais "
        "rápido que o limite (provavelmente outro robô). Limite 0 desliga essa verificação.",
    ),
    "auto.bot_ignore": (
        "Numbers to ignore (one per line)",
        "Números a ignorar (um por linha)",
    ),
    "auto.bot_per_minute": (
        "Treat a sender as a bot above (texts per minute)",
        "Tratar como robô quem envia mais de (textos por minuto)",
    ),
    "auto.save_safety": ("Save safety settings", "Salvar segurança"),
    "error.auto_bot_limit_invalid": (
        "Bot limit: a whole number per minute (0: no limit).",
        "Limite de robô: um número inteiro por minuto (0: sem limite).",
    ),
    "auto.safety_saved": ("Safety settings saved.", "Configurações de segurança salvas."),
}
