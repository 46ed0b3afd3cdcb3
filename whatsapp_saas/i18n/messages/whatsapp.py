"""WhatsApp numbers page, QR dialog and simulated phone: (English, Português)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "wa.title": ("WhatsApp numbers", "Números de WhatsApp"),
    "wa.intro": (
        "Link each WhatsApp number your team answers. Scan the QR code with the phone: "
        "WhatsApp → Linked devices → Link a device.",
        "Conecte cada número de WhatsApp que sua equipe atende. Escaneie o QR code com o "
        "celular: WhatsApp → Aparelhos conectados → Conectar um aparelho.",
    ),
    "wa.add": ("Add number", "Adicionar número"),
    "wa.name_placeholder": ("e.g. Sales", "ex.: Vendas"),
    "wa.empty": (
        "No numbers yet. Add one to get started.",
        "Nenhum número ainda. Adicione um para começar.",
    ),
    "wa.phone": ("Phone", "Telefone"),
    "wa.state": ("Status", "Situação"),
    "wa.since": ("Since", "Desde"),
    "wa.connect": ("Connect", "Conectar"),
    "wa.disconnect": ("Disconnect", "Desconectar"),
    "wa.logout": ("Log out", "Sair do WhatsApp"),
    "wa.delete": ("Delete", "Excluir"),
    "wa.rename": ("Rename", "Renomear"),
    "wa.new_name": ("New name", "Novo nome"),
    "wa.save": ("Save", "Salvar"),
    "wa.cancel": ("Cancel", "Cancelar"),
    "wa.close": ("Close", "Fechar"),
    "wa.confirm_delete": (
        "Delete this number? Its WhatsApp session is logged out and erased.",
        "Excluir este número? A sessão do WhatsApp é encerrada e apagada.",
    ),
    "wa.not_linked": ("not linked", "não conectado"),
    "wa.state.disconnected": ("Disconnected", "Desconectado"),
    "wa.state.connecting": ("Connecting…", "Conectando…"),
    "wa.state.waiting_qr": ("Waiting for QR scan", "Aguardando leitura do QR"),
    "wa.state.connected": ("Connected", "Conectado"),
    "wa.state.reconnecting": ("Reconnecting…", "Reconectando…"),
    "wa.state.logged_out": ("Logged out", "Desconectado do WhatsApp"),
    "wa.state.failed": ("Failed", "Falhou"),
    "wa.qr_title": ("Link {name}", "Conectar {name}"),
    "wa.qr_help": (
        "Open WhatsApp on the phone → Linked devices → Link a device, and scan this code.",
        "Abra o WhatsApp no celular → Aparelhos conectados → Conectar um aparelho e escaneie este código.",
    ),
    "wa.qr_expires": ("Code refreshes in", "O código muda em"),
    "wa.seconds": ("s", "s"),
    "wa.qr_waiting": ("Preparing the QR code…", "Gerando o QR code…"),
    "wa.use_pairing": ("Use pairing code instead", "Usar código de pareamento"),
    "wa.use_qr": ("Use QR code instead", "Usar QR code"),
    "wa.pair_phone": ("Phone number (with country code)", "Número do celular (com DDI)"),
    "wa.get_code": ("Get pairing code", "Gerar código"),
    "wa.pair_help": (
        "On the phone: WhatsApp → Linked devices → Link a device → Link with phone number instead, then type:",
        "No celular: WhatsApp → Aparelhos conectados → Conectar um aparelho → Conectar com número de telefone, e digite:",
    ),
    "wa.connected_as": ("Connected as {phone} ({name})", "Conectado como {phone} ({name})"),
    "wa.dialog_state": ("Status:", "Situação:"),
    # simulated phone
    "sim.title": ("Simulated phone", "Celular simulado"),
    "sim.intro": (
        "A pretend WhatsApp network for demos and tests: link a number by pasting its QR text, "
        "and write to it as a customer.",
        "Uma rede de WhatsApp de mentira para demonstrações e testes: conecte um número colando o "
        "texto do QR e escreva para ele como cliente.",
    ),
    "sim.unavailable": (
        "The simulator is only available when WHATSAPP_DRIVER=simulator.",
        "O simulador só está disponível com WHATSAPP_DRIVER=simulator.",
    ),
    "sim.link_title": ("Scan a QR code", "Ler um QR code"),
    "sim.qr_text": ("QR text", "Texto do QR"),
    "sim.business_phone": ("Business phone number", "Número da empresa"),
    "sim.link": ("Link", "Conectar"),
    "sim.linked": ("Linked {phone}.", "{phone} conectado."),
    "sim.send_title": ("Write as a customer", "Escrever como cliente"),
    "sim.from": ("Customer phone", "Celular do cliente"),
    "sim.push_name": ("Customer name", "Nome do cliente"),
    "sim.to": ("To (business number)", "Para (número da empresa)"),
    "sim.text": ("Message", "Mensagem"),
    "sim.send": ("Send as customer", "Enviar como cliente"),
    "sim.sent": ("Delivered to {phone}.", "Entregue para {phone}."),
    "sim.failed": ("The simulator refused: {detail}", "O simulador recusou: {detail}"),
    # errors
    "error.whatsapp_already_connected": (
        "This number is already connected.",
        "Este número já está conectado.",
    ),
    "error.whatsapp_pairing_failed": (
        "Could not get a pairing code. Try again or use the QR code.",
        "Não foi possível gerar o código. Tente de novo ou use o QR code.",
    ),
    "error.whatsapp_pairing_unavailable": (
        "No connection manager is running for this number right now. Try again in a moment.",
        "Nenhum gerenciador de conexão está ativo para este número agora. Tente de novo em instantes.",
    ),
    "error.whatsapp_phone_invalid": (
        "Enter a valid phone number with country code, e.g. +55 11 99999-0000.",
        "Informe um número válido com DDI, ex.: +55 11 99999-0000.",
    ),
}
