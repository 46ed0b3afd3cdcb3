"""Browser tab titles, one per page (they follow the UI language)."""

MESSAGES = {
    "title.login": ("Sign in · WhatsApp Desk", "Entrar · WhatsApp Desk"),
    "title.signup": ("Create account · WhatsApp Desk", "Criar conta · WhatsApp Desk"),
    "title.invite": ("Invitation · WhatsApp Desk", "Convite · WhatsApp Desk"),
    "title.dashboard": ("Dashboard · WhatsApp Desk", "Painel · WhatsApp Desk"),
    "title.settings": ("Settings · WhatsApp Desk", "Configurações · WhatsApp Desk"),
    "title.inbox": ("Inbox · WhatsApp Desk", "Caixa de entrada · WhatsApp Desk"),
    "title.quick_replies": (
        "Quick replies · WhatsApp Desk",
        "Respostas rápidas · WhatsApp Desk",
    ),
    "title.departments": ("Departments · WhatsApp Desk", "Departamentos · WhatsApp Desk"),
    "title.sending": ("Sending limits · WhatsApp Desk", "Limites de envio · WhatsApp Desk"),
    "title.whatsapp": ("WhatsApp · WhatsApp Desk", "WhatsApp · WhatsApp Desk"),
    "title.simulator": ("Simulated phone · WhatsApp Desk", "Celular simulado · WhatsApp Desk"),
    "title.scheduling": ("Scheduling · WhatsApp Desk", "Agendamentos · WhatsApp Desk"),
    "title.contacts": ("Contacts · WhatsApp Desk", "Contatos · WhatsApp Desk"),
    "title.automations": ("Automations · WhatsApp Desk", "Automações · WhatsApp Desk"),
    "title.ai": ("AI · WhatsApp Desk", "IA · WhatsApp Desk"),
}
