"""Durable outbound delivery: the outbox's sender, its routing, and the send governor.

The outbox is the inbox's ``messages`` table: whatever sends (an attendant, an automation, the
AI, a schedule, a campaign) writes a ``queued`` row with a WhatsApp id fixed up front, in its
own transaction (``whatsapp_saas.inbox.outbox.queue_message``). Everything here only moves
those rows forward; queues and Redis keys are wake-ups and caches, never the truth.

Send path (one micro-batch of wake-ups at a time, :mod:`.pipeline`)
    1. claim: ``queued -> sending`` in one conditional UPDATE (:mod:`.claims`) -- exactly one
       claimer wins; only the oldest unsent message of a conversation is claimable (order);
       messages held by a backoff or the governor wait for their due time;
    2. govern: per-number rate window, bulk spacing, caps, quiet hours, tenant quotas
       (:mod:`.governor`, :mod:`.limiter` on Redis, :mod:`.limiter_db` without);
    3. route and send on the node that owns the number's live session (:mod:`.transport`,
       :mod:`.routing`, :mod:`.agent`, :mod:`.executor`);
    4. record (:mod:`.outcomes`, :mod:`.recording`): ``sent``; or back to ``queued`` with
       capped exponential backoff (transient); or ``failed`` with a reason the attendant sees
       (permanent, or attempts exhausted); then wake the conversation's next message.
    The sweeper (:mod:`.sweeper`) re-dispatches what nobody is doing: attempts stuck in
    ``sending`` (a dead worker) and queued messages whose wake-up was lost or whose hold ended.

Routing design (why workers claim and nodes only send)
    A ``taskiq worker`` claims, governs and records -- all database and Redis work, which
    scales with worker processes. Only the socket work goes to the connection-manager node that
    holds the number's lease: the worker looks the owner up (``<ns>:lease:<number>``) and
    pushes one request per node to that node's list (``<ns>:dlv:req:<node>``); the node's send
    agent performs the sends through its own session hosts (refusing numbers it does not own)
    and answers on the worker's reply list. A node without a live agent, or no owner at all, is
    a transient "number offline": the message backs off and the sweeper retries it whoever
    owns the number by then. A request carries a deadline, so a node never sends for a worker
    that already gave up. Nodes remember recent sends in Redis ("sent" markers), so a worker
    killed mid-send costs no duplicate: the retry gets the recorded result. In embedded mode
    the node is in the same process, so the transport is a direct call (``node_for``).

Public API
    Web app (embedded role): the process graph holds an :class:`.embedded.EmbeddedDelivery`
    that ``App.start()``/``App.stop()`` start and stop. Without ``REDIS_URL`` it runs the
    in-process workers and sweeper (over the same outbox); with it, the delivery handlers'
    stream waker is already on the bus and it keeps a send agent for an in-app manager node.
    Workers: ``taskiq worker whatsapp_saas.delivery.worker.broker:broker
    whatsapp_saas.delivery.worker.tasks``
    (Redis only; see :mod:`.broker` for flags).
    Manager nodes (``python -m whatsapp_saas.whatsapp.manager``): nothing to do; the delivery
    wiring (``HANDLER_MODULES``) starts a send agent when a node's first number connects.
    Outbound waker: a live subscriber on the bus for ``OutboundQueued`` (``notifier.attach``),
    attached automatically (the handlers with Redis, ``EmbeddedDelivery.start`` without).
    Attendant's Retry: ``whatsapp_saas.inbox.status.retry_failed(scope, *, viewer,
    message_id)``, gated by the inbox's access rules (a new ``queued_at`` starts a fresh
    attempt count). Every status change goes through :mod:`whatsapp_saas.inbox.status`.
    Governor settings: :func:`.service.set_number_limits`, :func:`.service.set_tenant_limits`,
    :func:`.service.effective_limits`; defaults in :class:`.settings.DeliverySettings`
    (``DELIVERY_*``; ``DELIVERY_GOVERNOR_ENABLED=false`` turns the governor off).

Kept import-light on purpose: workers import only the submodules they need.
"""
