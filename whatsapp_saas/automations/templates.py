"""Rule templates: the issue's common rules, ready-made in pt-BR and en.

A template becomes an ordinary rule through :func:`create_from_template` (the service's
``save_rule``: validated, managers only), **disabled**, so nothing fires until the manager has
read it and switched it on. A template whose trigger does not validate is not offered
(:func:`available`). The won template fires on any stage marked won (the deal trigger's
``outcome`` filter).

The out-of-hours template is not a rule: a rule with an "outside hours" condition would
answer every message of a closed evening, up to the hourly cap. It fills in the product's own
out-of-hours reply instead (Business hours; ``engine.out_of_hours``: once per conversation per
closed period, by the conversation's hours, not right after an agent wrote), with its text
when none is written yet, and leaves its switch as it was: like a rule template, it sends
nothing until the manager has read it and switched it on (:func:`use_template`).

The issue's greeting "with a numbered menu" is a plain greeting here: a menu is the tenant's
own, and a template cannot name one that may not exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.automations import service
from whatsapp_saas.automations.models import AutomationRule
from whatsapp_saas.automations.rules import validate
from whatsapp_saas.automations.settings import save_settings, settings_for
from whatsapp_saas.errors import UserError
from whatsapp_saas.tenancy.scope import TenantScope

EN, PT = "en", "pt-BR"  # the UI's language codes


@dataclass(frozen=True)
class Template:
    key: str
    names: dict[str, str]
    descriptions: dict[str, str]
    trigger: dict[str, Any]
    # Per language: the ordered actions (their texts are the language's).
    actions: dict[str, list[dict[str, Any]]]
    conditions: list[dict[str, Any]] = field(default_factory=list)
    # "out_of_hours": fills in that setting with the (first) message's text, makes no rule.
    setting: str = ""

    def text(self, what: dict[str, str], language: str) -> str:
        return what.get(language) or what[EN]

    def parts(self, language: str) -> dict[str, Any]:
        lang = language if language in self.actions else EN
        return {
            "name": self.text(self.names, lang),
            "trigger": dict(self.trigger),
            "conditions": [dict(c) for c in self.conditions],
            "actions": [dict(a) for a in self.actions[lang]],
        }


def _send(text: str) -> dict[str, Any]:
    return {"type": "send_message", "message": text}


SETTING_OUT_OF_HOURS = "out_of_hours"


@dataclass(frozen=True)
class Used:
    """What using a template did: a new rule's name, or the out-of-hours setting's state."""

    name: str
    setting: str = ""  # "out_of_hours" when the template filled in that setting
    on: bool = False  # the out-of-hours reply's switch (never changed by a template)
    kept_text: bool = False  # a text was written already: it was kept


TEMPLATES: tuple[Template, ...] = (
    Template(
        "greeting",
        {EN: "Greeting for new contacts", PT: "Saudação para novos contatos"},
        {
            EN: "The first message from a new contact gets a welcome.",
            PT: "A primeira mensagem de um novo contato recebe boas-vindas.",
        },
        {"type": "message_received", "which": "new_contact"},
        {
            EN: [_send("Hi {{contact.first_name}}! Thanks for writing. How can we help?")],
            PT: [_send("Olá {{contact.first_name}}! Obrigado pelo contato. Como podemos ajudar?")],
        },
    ),
    Template(
        "price",
        {
            EN: "Price question: tag lead and reply",
            PT: "Pergunta de preço: marcar lead e responder",
        },
        {
            EN: "A message containing “preço” (any accents or case) is tagged lead and answered.",
            PT: "Mensagem com “preço” (com ou sem acento) recebe a etiqueta lead e uma resposta.",
        },
        {"type": "keyword", "match": "contains", "keyword": "preço"},
        {
            EN: [
                {"type": "add_tag", "tag": "lead"},
                _send("Here is our price list, {{contact.first_name}}. Any questions, just ask!"),
            ],
            PT: [
                {"type": "add_tag", "tag": "lead"},
                _send(
                    "Segue nossa tabela de preços, {{contact.first_name}}."
                    " Qualquer dúvida, é só chamar!"
                ),
            ],
        },
    ),
    Template(
        "out_of_hours",
        {EN: "Out-of-hours reply", PT: "Resposta fora do horário"},
        {
            EN: "Outside business hours, one reply per closed period saying you will answer"
            " when you open (set on Business hours).",
            PT: "Fora do horário de atendimento, uma resposta por período fechado avisando que"
            " a equipe responde ao abrir (em Horário de atendimento).",
        },
        {"type": "message_received", "which": "any"},
        {
            EN: [_send("We are closed right now; we will answer as soon as we open.")],
            PT: [
                _send("Estamos fora do horário de atendimento; responderemos assim que abrirmos.")
            ],
        },
        setting=SETTING_OUT_OF_HOURS,
    ),
    Template(
        "no_agent_reply",
        {EN: "No agent reply in 10 minutes", PT: "Sem resposta do atendente em 10 minutos"},
        {
            EN: "10 minutes without a person's reply: a note for the team and a human takes over.",
            PT: "10 minutos sem resposta de uma pessoa: nota para a equipe e passa para humano.",
        },
        {"type": "no_agent_reply", "minutes": 10},
        {
            EN: [
                {"type": "add_note", "message": "No reply for 10 minutes: please take over."},
                {"type": "hand_to_human"},
            ],
            PT: [
                {
                    "type": "add_note",
                    "message": "Sem resposta há 10 minutos: alguém assuma, por favor.",
                },
                {"type": "hand_to_human"},
            ],
        },
    ),
    Template(
        "deal_won",
        {EN: "Deal won: thank-you", PT: "Negócio ganho: agradecimento"},
        {
            EN: "When a deal moves to Won, thank the customer.",
            PT: "Quando um negócio vai para Ganho, agradece ao cliente.",
        },
        {"type": "deal_stage_changed", "outcome": "won"},
        {
            EN: [_send("Thank you for your purchase, {{contact.first_name}}!")],
            PT: [_send("Muito obrigado pela compra, {{contact.first_name}}!")],
        },
    ),
)


def _valid(template: Template) -> bool:
    try:
        validate(**template.parts(EN))
    except UserError:
        return False
    return True


def available() -> list[Template]:
    """The templates this installation's rules can express."""
    return [t for t in TEMPLATES if _valid(t)]


def _template(key: str) -> Template:
    template = next((t for t in available() if t.key == key), None)
    if template is None:
        raise UserError("error.auto_template_unknown")
    return template


def create_from_template(
    scope: TenantScope, *, actor: CurrentUser, key: str, language: str
) -> AutomationRule:
    """A new, disabled rule from the rule template ``key`` in ``language`` (managers only)."""
    service.require_manager(actor)
    template = _template(key)
    if template.setting:
        raise UserError("error.auto_template_unknown")  # not a rule: see use_template
    return service.save_rule(scope, actor=actor, enabled=False, **template.parts(language))


def use_template(scope: TenantScope, *, actor: CurrentUser, key: str, language: str) -> Used:
    """What the Templates dialog's button does (managers only): a disabled rule, or for the
    out-of-hours template the Business hours reply's text (a text already written is kept;
    the switch is not touched)."""
    service.require_manager(actor)
    template = _template(key)
    if not template.setting:
        rule = create_from_template(scope, actor=actor, key=key, language=language)
        return Used(rule.name)
    name = template.text(template.names, language)
    current = settings_for(scope)
    on = bool(current.out_of_hours_enabled)
    if current.out_of_hours_message.strip():
        return Used(name, template.setting, on=on, kept_text=True)
    text = str(template.parts(language)["actions"][0]["message"])
    save_settings(scope, out_of_hours_message=text)
    return Used(name, template.setting, on=on)
