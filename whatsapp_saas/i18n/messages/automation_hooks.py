"""Automations: the "Webhook received" trigger, its builder fields and its URL's answers
(English, Português)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "auto.trigger.webhook_received": ("Webhook received", "Webhook recebido"),
    "auto.why_webhook": (
        "Webhook: it runs when its URL is called, not on a message.",
        "Webhook: roda quando a URL dela é chamada, não numa mensagem.",
    ),
    "auto.hook_number": ("Write from number", "Escrever pelo número"),
    "auto.hook_first_number": ("The first number", "O primeiro número"),
    "auto.hook_url": ("Inbound URL", "URL de entrada"),
    "auto.hook_secret": ("Secret", "Segredo"),
    "auto.hook_copy_url": ("Copy URL", "Copiar URL"),
    "auto.hook_copy_secret": ("Copy secret", "Copiar segredo"),
    "auto.hook_rotate": ("Rotate secret", "Trocar segredo"),
    "auto.hook_rotated": (
        "New secret made: the old one no longer works.",
        "Novo segredo criado: o antigo não funciona mais.",
    ),
    "auto.hook_secret_once": (
        "Copy the secret now: it is shown in full only this once.",
        "Copie o segredo agora: ele aparece completo só desta vez.",
    ),
    "auto.hook_after_save": (
        "Save the rule to get its URL and secret.",
        "Salve a regra para receber a URL e o segredo.",
    ),
    "auto.hook_shape": (
        "Your system sends a POST with a JSON body (phone required, text and fields optional):",
        "Seu sistema envia um POST com um corpo JSON (phone obrigatório, text e fields opcionais):",
    ),
    "auto.hook_auth": (
        "Authenticate with the header X-Webhook-Secret: <secret>, or sign the body: "
        "X-Signature: sha256=<HMAC-SHA256 of the body with the secret>. An Idempotency-Key "
        "header makes a retried request run the rule only once.",
        "Autentique com o cabeçalho X-Webhook-Secret: <segredo>, ou assine o corpo: "
        "X-Signature: sha256=<HMAC-SHA256 do corpo com o segredo>. Um cabeçalho "
        "Idempotency-Key faz uma requisição repetida rodar a regra só uma vez.",
    ),
    "auto.hook_variables": (
        "Messages may use {{webhook.text}} and {{webhook.fields.order}}, besides "
        "{{contact.first_name}}.",
        "As mensagens podem usar {{webhook.text}} e {{webhook.fields.order}}, além de "
        "{{contact.first_name}}.",
    ),
    "error.auto_hook_number_invalid": (
        "Write from number: choose one of your WhatsApp numbers.",
        "Escrever pelo número: escolha um dos seus números de WhatsApp.",
    ),
    "error.auto_menu_not_found": (
        "Menu: that menu does not exist (it may have been deleted); choose another.",
        "Menu: esse menu não existe (pode ter sido excluído); escolha outro.",
    ),
    # The inbound URL's JSON answers (the caller's Accept-Language).
    "hook.error_not_found": ("No active rule has this URL.", "Nenhuma regra ativa tem esta URL."),
    "hook.error_unauthorized": (
        "Missing or wrong secret: send X-Webhook-Secret or X-Signature.",
        "Segredo ausente ou incorreto: envie X-Webhook-Secret ou X-Signature.",
    ),
    "hook.error_unavailable": (
        "This URL cannot be checked right now; try again later.",
        "Não é possível verificar esta URL agora; tente mais tarde.",
    ),
    "hook.error_json": (
        "The body must be a JSON object.",
        "O corpo deve ser um objeto JSON.",
    ),
    "hook.error_phone_required": (
        "phone: required, as text (such as +5511988887777).",
        "phone: obrigatório, como texto (por exemplo +5511988887777).",
    ),
    "hook.error_phone_invalid": (
        "phone: not a phone number.",
        "phone: não é um número de telefone.",
    ),
    "hook.error_text": (
        "text: must be text of at most 4096 characters.",
        "text: deve ser um texto de até 4096 caracteres.",
    ),
    "hook.error_fields": (
        "fields: an object of at most 50 keys (letters, digits, _ and -) with plain values of "
        "at most 500 characters.",
        "fields: um objeto de até 50 chaves (letras, dígitos, _ e -) com valores simples de "
        "até 500 caracteres.",
    ),
    "hook.error_idempotency_key": (
        "Idempotency-Key: at most 200 visible ASCII characters.",
        "Idempotency-Key: até 200 caracteres ASCII visíveis.",
    ),
    "hook.error_no_number": (
        "The rule's WhatsApp number does not exist any more.",
        "O número de WhatsApp da regra não existe mais.",
    ),
}
