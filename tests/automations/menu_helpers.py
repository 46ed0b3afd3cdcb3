"""A three-level menu for the menu tests: Sales / Support (Billing / Technical (Phone / Net))."""

from __future__ import annotations

from typing import Any

from auto_helpers import World

from whatsapp_saas.automations.menu_service import save_menu
from whatsapp_saas.db import session_scope
from whatsapp_saas.inbox.models import Department
from whatsapp_saas.tenancy.scope import TenantScope


def three_levels(department_id: int) -> dict[str, Any]:
    dept = {"target": "department", "department_id": department_id}
    return {
        "message": "Olá {{contact.first_name}}! Como podemos ajudar?",
        "options": [
            {"label": "Vendas", **dept, "message": "Um vendedor já vai falar com você."},
            {
                "label": "Suporte",
                "target": "menu",
                "message": "Suporte: escolha o assunto.",
                "options": [
                    {"label": "Cobrança", **dept},
                    {
                        "label": "Técnico",
                        "target": "menu",
                        "message": "Qual serviço?",
                        "options": [
                            {"label": "Telefone", **dept, "message": "Técnico de telefonia."},
                            {"label": "Internet", **dept, "message": "Técnico de internet."},
                        ],
                    },
                ],
            },
        ],
    }


def add_department(world: World, name: str = "Technical") -> int:
    with session_scope() as session:
        department = Department(tenant_id=world.tenant_id, name=name)
        session.add(department)
        session.flush()
        assert department.id is not None
        return department.id


def add_menu(world: World, department_id: int, **values: Any) -> int:
    with session_scope() as session:
        scope = TenantScope(session, world.tenant_id)
        menu = save_menu(
            scope, actor=world.owner, name="Main menu", tree=three_levels(department_id), **values
        )
        assert menu.id is not None
        return menu.id
