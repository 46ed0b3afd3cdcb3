"""Strings of outbound delivery: why a message was not sent."""

MESSAGES = {
    "delivery.reason_invalid_recipient": (
        "This contact is not on WhatsApp.",
        "Este contato não está no WhatsApp.",
    ),
    "delivery.reason_logged_out": (
        "The WhatsApp number is logged out; reconnect it, then retry.",
        "O número de WhatsApp está desconectado; reconecte-o e tente de novo.",
    ),
    "delivery.reason_no_address": (
        "The contact has no WhatsApp address.",
        "O contato não tem endereço de WhatsApp.",
    ),
    "delivery.reason_number_offline": (
        "The WhatsApp number stayed offline; retry when it is connected.",
        "O número de WhatsApp ficou offline; tente de novo quando estiver conectado.",
    ),
    "delivery.reason_gave_up": (
        "Sending kept failing; retry later.",
        "O envio falhou várias vezes; tente de novo mais tarde.",
    ),
    "delivery.reason_outcome_unknown": (
        "Sending was interrupted and may have reached the contact; check before retrying.",
        "O envio foi interrompido e pode ter chegado ao contato; confira antes de reenviar.",
    ),
    "delivery.reason_media_missing": (
        "The attachment is no longer available.",
        "O anexo não está mais disponível.",
    ),
    "delivery.reason_node_timeout": (
        "The connection did not answer in time.",
        "A conexão não respondeu a tempo.",
    ),
    "delivery.reason_send_error": (
        "WhatsApp refused the message.",
        "O WhatsApp recusou a mensagem.",
    ),
}

MESSAGES.update(
    {
        "delivery.error_limit_negative": (
            "{field} cannot be negative.",
            "{field} não pode ser negativo.",
        ),
        "delivery.error_time_invalid": (
            "{value} is not a time (use HH:MM).",
            "{value} não é um horário (use HH:MM).",
        ),
    }
)
