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
    "wa.new_code": ("Generate a new code", "Gerar um novo código"),
    "wa.no_code": (
        "No code is being shown for this number.",
        "Nenhum código está sendo exibido para este número.",
    ),
    "wa.review_phone": ("Review phone", "Revisar celular"),
    "wa.confirm_scanned": (
        "The phone {new} scanned the code.",
        "O celular {new} escaneou o código.",
    ),
    "wa.confirm_was": (
        "This number was linked to {old} until now.",
        "Este número estava conectado a {old} até agora.",
    ),
    "wa.confirm_other": (
        "This phone is also linked to your number “{other}”, which stops receiving its messages.",
        "Este celular também está conectado ao seu número “{other}”, que deixa de receber as "
        "mensagens dele.",
    ),
    "wa.confirm_history": (
        "The history stays where it is: existing conversations are not moved or merged. From "
        "now on this number receives what customers send to the new phone, and no longer what "
        "they send to the old one. A customer whose conversation is under another of your "
        "numbers starts a new conversation here.",
        "O histórico fica onde está: as conversas existentes não são movidas nem unidas. A partir "
        "de agora este número recebe o que os clientes enviam ao novo celular, e não mais o que "
        "enviam ao antigo. Um cliente cuja conversa está em outro número seu começa uma conversa "
        "nova aqui.",
    ),
    "wa.confirm_use": ("Use {new}", "Usar {new}"),
    "wa.confirm_cancel": ("Cancel and unlink it", "Cancelar e desconectar"),
    "wa.state.confirm_phone": ("Confirm the phone", "Confirme o celular"),
    # why a number is in its state (stored as codes, see whatsapp_saas.whatsapp.state_reasons)
    "wa.reason.user_disconnect": ("Disconnected by a user", "Desconectado por um usuário"),
    "wa.reason.user_logout": ("Logged out by a user", "Sessão encerrada por um usuário"),
    "wa.reason.starting": ("Starting the session", "Iniciando a sessão"),
    "wa.reason.restoring": ("Restoring the saved session", "Restaurando a sessão salva"),
    "wa.reason.scan_qr": (
        "Scan the QR code with WhatsApp on your phone",
        "Escaneie o QR code com o WhatsApp do celular",
    ),
    "wa.reason.rescan_qr": (
        "The saved session was not accepted; scan the QR code again",
        "A sessão salva não foi aceita; escaneie o QR code de novo",
    ),
    "wa.reason.qr_timeout": (
        "The QR code expired without being scanned.",
        "O QR code expirou sem ser escaneado.",
    ),
    "wa.reason.connection_lost": (
        "Connection lost; reconnecting",
        "Conexão perdida; reconectando",
    ),
    "wa.reason.start_failed": (
        "The session could not start; trying again",
        "A sessão não pôde iniciar; tentando de novo",
    ),
    "wa.reason.node_stopped": (
        "The connection manager restarted; restoring the session",
        "O gerenciador de conexões reiniciou; restaurando a sessão",
    ),
    "wa.reason.takeover": (
        "The connection manager of this number stopped; another one is taking over",
        "O gerenciador de conexões deste número parou; outro está assumindo",
    ),
    "wa.reason.host_crashed": (
        "The session's worker process crashed; restarting the session",
        "O processo da sessão caiu; reiniciando a sessão",
    ),
    "wa.reason.not_running": (
        "The session was found not running; restarting it",
        "A sessão não estava rodando; reiniciando",
    ),
    "wa.reason.watchdog": (
        "The connection did not come back in time; restarting the session",
        "A conexão não voltou a tempo; reiniciando a sessão",
    ),
    "wa.reason.snapshot_tampered": (
        "The saved session could not be decrypted (altered, or from another number). It was "
        "kept untouched. Log out to link the number again.",
        "A sessão salva não pôde ser decifrada (alterada ou de outro número). Ela foi mantida "
        "intacta. Saia do WhatsApp para conectar o número de novo.",
    ),
    "wa.reason.snapshot_wrong_key": (
        "The saved session was encrypted with a key this server does not have. Set "
        "SESSION_ENCRYPTION_KEY (or SESSION_ENCRYPTION_OLD_KEYS) to that key, or log out to "
        "link the number again.",
        "A sessão salva foi cifrada com uma chave que este servidor não tem. Configure "
        "SESSION_ENCRYPTION_KEY (ou SESSION_ENCRYPTION_OLD_KEYS) com essa chave, ou saia do "
        "WhatsApp para conectar o número de novo.",
    ),
    "wa.reason.unlinked_from_phone": (
        "The device was unlinked from the phone",
        "O aparelho foi desconectado pelo celular",
    ),
    "wa.reason.replaced_by_new_device": (
        "The phone linked another device in its place",
        "O celular conectou outro aparelho no lugar deste",
    ),
    "wa.reason.account_gone": (
        "The phone's WhatsApp account is gone (reinstalled or deleted)",
        "A conta de WhatsApp do celular não existe mais (reinstalada ou apagada)",
    ),
    "wa.reason.logged_out_by_whatsapp": (
        "WhatsApp ended the session",
        "O WhatsApp encerrou a sessão",
    ),
    "wa.reason.restore_refused": (
        "WhatsApp did not accept the saved session when it started. The session was kept: "
        "try Connect again, or Log out and link the number again.",
        "O WhatsApp não aceitou a sessão salva ao iniciar. A sessão foi mantida: tente "
        "Conectar de novo, ou Saia do WhatsApp e conecte o número outra vez.",
    ),
    "wa.reason.confirm_phone": (
        "Another phone scanned the code ({new}): confirm or cancel.",
        "Outro celular escaneou o código ({new}): confirme ou cancele.",
    ),
    "wa.reason.engine": ("WhatsApp said: {detail}", "O WhatsApp informou: {detail}"),
    # simulated phone
    "wa.demo_banner": (
        "Demo: WhatsApp is simulated here. Messages do not reach real phones.",
        "Demonstração: o WhatsApp aqui é simulado. As mensagens não chegam a celulares de verdade.",
    ),
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
    "sim.refused": (
        "The simulated network refused this. Check the fields and try again.",
        "A rede simulada recusou. Confira os campos e tente de novo.",
    ),
    "sim.unreachable": (
        "The simulated network is not answering. Try again in a moment.",
        "A rede simulada não está respondendo. Tente de novo em instantes.",
    ),
    "sim.qr_unknown": (
        "This QR code expired. Copy the current one and try again.",
        "Este QR code expirou. Copie o atual e tente de novo.",
    ),
    "sim.code_unknown": (
        "This pairing code is not valid for that phone. Check both and try again.",
        "Este código de pareamento não vale para esse celular. Confira os dois e tente de novo.",
    ),
    "sim.to_not_linked": (
        "That business number is not online on the simulated network.",
        "Esse número da empresa não está on-line na rede simulada.",
    ),
    "sim.text_required": ("Write a message.", "Escreva uma mensagem."),
    "sim.managers_only": (
        "Only owners and admins can use the simulated phone.",
        "Só proprietários e administradores podem usar o celular simulado.",
    ),
    "sim.waiting_title": (
        "Your numbers waiting for a scan (QR text to paste):",
        "Seus números aguardando leitura (texto do QR para colar):",
    ),
    "sim.none_waiting": (
        "None of your numbers is showing a QR code. Click Connect on the WhatsApp page first.",
        "Nenhum dos seus números está mostrando um QR code. Clique em Conectar na página "
        "WhatsApp primeiro.",
    ),
    "sim.scan_here": ("Scan from this browser", "Ler neste navegador"),
    "sim.pair_title": ("Enter a pairing code", "Digitar um código de pareamento"),
    "sim.pair_help": (
        "The code the WhatsApp page showed after “Use pairing code instead”.",
        "O código que a página WhatsApp mostrou em “Usar código de pareamento”.",
    ),
    "sim.pair_code": ("Pairing code", "Código de pareamento"),
    "sim.pair": ("Link with code", "Conectar com código"),
    "error.sim_qr_not_yours": (
        "This QR code is not shown by any of your company's numbers.",
        "Este QR code não é de nenhum número da sua empresa.",
    ),
    "error.sim_code_not_yours": (
        "This pairing code was not issued for any of your company's numbers.",
        "Este código de pareamento não foi gerado para nenhum número da sua empresa.",
    ),
    "error.sim_to_not_yours": (
        "That is not one of your company's linked numbers.",
        "Esse não é um dos números conectados da sua empresa.",
    ),
    "error.sim_phone_taken": (
        "This business phone is linked to another company's number on the simulated network.",
        "Este celular da empresa está conectado a um número de outra empresa na rede simulada.",
    ),
    # errors
    "error.whatsapp_nothing_to_confirm": (
        "There is no phone change to confirm for this number.",
        "Não há troca de celular para confirmar neste número.",
    ),
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
