"""Who may call each event handler: the declared list every browser-callable name must be in.

Any public callable on a Reflex state can be invoked over the websocket by anyone who opens
one, so every such name is listed here with the least it requires:

- ``public``: anyone, signed in or not (sign-in, sign-up, invitations, language);
- ``signed_in``: any active member of the tenant, limited further by what they may see
  (a conversation an agent may not see is "not found");
- ``manager``: owners and admins;
- ``owner``: the tenant's owner only.

``tests/security/test_handler_permissions.py`` fails when a state grows a callable that is not
listed, so a new handler cannot ship without a decision; the isolation suite
(``tests/security/``) reads this list to know what "the wrong role" means for each handler.

Keys are ``<module>.<StateClass>.<handler>``. Reflex's own ``setvar`` exists on every state;
it only reaches the ``set_*`` handlers listed here and client-storage vars, so it is declared
once in :data:`FRAMEWORK_HANDLERS`.
"""

from __future__ import annotations

from typing import Literal

Permission = Literal["public", "signed_in", "manager", "owner"]
PERMISSIONS: tuple[Permission, ...] = ("public", "signed_in", "manager", "owner")

FRAMEWORK_HANDLERS: dict[str, Permission] = {"setvar": "public"}

_BASE = "whatsapp_saas.ui.base_state.AppState"
_AUTH = "whatsapp_saas.ui.auth.state.AuthFormState"
_INVITE = "whatsapp_saas.ui.auth.state.InviteState"
_DASH = "whatsapp_saas.ui.dashboard.page.DashboardState"
_INBOX = "whatsapp_saas.ui.inbox.state.InboxState"
_COMPOSER = "whatsapp_saas.ui.inbox.composer.ComposerState"
_PLANS = "whatsapp_saas.ui.inbox.plans.PlansState"
_SCHED = "whatsapp_saas.ui.scheduling.schedules_state.SchedulesState"
_FOLLOW = "whatsapp_saas.ui.scheduling.followups_state.FollowUpsState"
_CAMP = "whatsapp_saas.ui.scheduling.campaigns_state.CampaignsState"
_USERS = "whatsapp_saas.ui.settings.users_state.UsersState"
_DEPTS = "whatsapp_saas.ui.settings.departments.DepartmentsState"
_QR = "whatsapp_saas.ui.settings.quick_replies.QuickRepliesState"
_SEND = "whatsapp_saas.ui.settings.sending.SendingState"
_SIM = "whatsapp_saas.ui.simulator.state.SimulatorState"
_WA = "whatsapp_saas.ui.whatsapp.state.WhatsAppState"
_SIGNATURE = "whatsapp_saas.ui.inbox.signature.SignatureState"
_NEW_CONV = "whatsapp_saas.ui.inbox.new_conversation.NewConversationState"
_AUTO = "whatsapp_saas.ui.automations.state.AutomationsState"
_HOURS = "whatsapp_saas.ui.automations.hours_state.HoursState"
_MENUS = "whatsapp_saas.ui.automations.menus_state.MenusState"
_AUTO_FILES = "whatsapp_saas.ui.automations.files_state.AutomationFilesState"
_OWNER = "whatsapp_saas.ui.inbox.owner_view.OwnerState"
_TEMPLATES = "whatsapp_saas.ui.automations.templates_view.TemplatesState"
_MEDIA_USAGE = "whatsapp_saas.ui.settings.media_usage.MediaUsageState"
_CRM_LIST = "whatsapp_saas.ui.crm.list_state.ContactsState"
_CRM_PROFILE = "whatsapp_saas.ui.crm.profile_state.ContactProfileState"
_CRM_PANEL = "whatsapp_saas.ui.crm.panel.ContactPanelState"
_CRM_IMPORT = "whatsapp_saas.ui.crm.import_state.ImportState"
_CRM_SETUP = "whatsapp_saas.ui.crm.setup_state.CrmSetupState"
_BOARD = "whatsapp_saas.ui.pipeline.state.PipelineState"
_DEAL_FORM = "whatsapp_saas.ui.pipeline.deal_form.DealFormState"
_PIPELINES = "whatsapp_saas.ui.pipeline.settings.PipelineSettingsState"
_CONTACT_DEALS = "whatsapp_saas.ui.pipeline.contact_deals.ContactDealsState"


def _each(prefix: str, permission: Permission, *names: str) -> dict[str, Permission]:
    return {f"{prefix}.{name}": permission for name in names}


HANDLER_PERMISSIONS: dict[str, Permission] = {
    **_each(_BASE, "public", "detect_language", "set_language"),
    # Switching company opens a session only in a company the same person belongs to.
    **_each(_BASE, "signed_in", "require_login", "sign_out", "switch_company"),
    **_each(_SIGNATURE, "signed_in", "load_signature", "save_signature"),
    **_each(_AUTH, "public", "open_public_page", "sign_in", "sign_up"),
    **_each(_INVITE, "public", "load_invite", "accept"),
    **_each(_DASH, "signed_in", "load"),
    # The inbox: every action is limited to conversations the viewer may see.
    **_each(
        _INBOX,
        "signed_in",
        "load",
        "set_notifications",
        "dismiss_handoff",
        "open_handoff",
        "set_list_filter",
        "set_status_filter",
        "set_number_filter",
        "set_department_filter",
        "set_tag_filter",
        "toggle_conversation_tag",
        "run_search",
        "load_more",
        "select",
        "load_older",
        "assign_to_me",
        "transfer_to_agent",
        "transfer_to_department",
        "resolve",
        "reopen",
        "retry",
        "retry_media",
        "show_pane",
    ),
    **_each(
        _COMPOSER,
        "signed_in",
        "set_draft",
        "use_quick_reply",
        "add_emoji",
        "toggle_note",
        "reply_to",
        "cancel_reply",
        "start_voice",
        "stop_voice",
        "send",
        "upload",
        "close_quick_replies",
        "set_attach_caption",
        "cancel_attachment",
        "attachment_open_changed",
    ),
    # A new conversation is sent from one of the tenant's numbers, to a validated phone.
    **_each(_NEW_CONV, "signed_in", "set_new_open", "start_new"),
    **_each(
        _PLANS,
        "signed_in",
        "load_plans",
        "schedule",
        "cancel_scheduled",
        "follow_up",
        "cancel_follow",
        "on_plans_tick",
    ),
    # Scheduling: agents plan messages in the conversations they may see.
    **_each(
        _SCHED,
        "signed_in",
        "load",
        "toggle_show_all",
        "upload",
        "clear_attachment",
        "create",
        "start_edit",
        "close_edit",
        "save_edit",
        "cancel",
        "set_tab",
    ),
    **_each(_FOLLOW, "signed_in", "refresh", "start", "stop"),
    **_each(_FOLLOW, "manager", "save_prefs"),
    # Campaigns stay manager-only, reading included.
    **_each(
        _CAMP,
        "manager",
        "refresh",
        "tick",
        "set_csv_text",
        "load_csv_file",
        "preview_csv",
        "pick_number",
        "set_audience",
        "create",
        "control",
    ),
    **_each(_USERS, "signed_in", "load", "save_timezone", "note_link_copied"),
    # How much of the company's media quota is used: no file names, only totals.
    **_each(_MEDIA_USAGE, "signed_in", "load_media_usage"),
    **_each(_USERS, "manager", "invite", "set_active", "set_read_receipts", "change_role"),
    **_each(_USERS, "manager", "revoke_invite"),
    # Everyone may look at departments; only managers change them.
    **_each(_DEPTS, "signed_in", "load"),
    **_each(_DEPTS, "manager", "create", "rename", "delete", "add_member", "remove_member"),
    # Quick replies are the team's shared vocabulary: every member manages them.
    **_each(_QR, "signed_in", "load", "save", "edit", "cancel_edit", "delete"),
    **_each(_SEND, "signed_in", "load"),
    # Deals: agents create and move deals of the contacts they may see; managers define
    # the pipelines and their stages.
    **_each(
        _BOARD,
        "signed_in",
        "load",
        "relabel",
        "choose_pipeline",
        "load_more",
        "move_deal",
        "drop_deal",
        "on_deals_tick",
    ),
    # Closing the dialog as a page loads reads and reveals nothing.
    **_each(_DEAL_FORM, "public", "close_on_page_load"),
    **_each(
        _DEAL_FORM,
        "signed_in",
        "open_new",
        "open_for_contact",
        "open_edit",
        "set_form_open",
        "search_contacts",
        "save_deal",
    ),
    **_each(
        _CONTACT_DEALS,
        "signed_in",
        "load_contact_deals",
        "move_contact_deal",
        "on_contact_deals_tick",
    ),
    **_each(
        _PIPELINES,
        "manager",
        "open_settings",
        "rename_pipeline",
        "add_pipeline",
        "delete_pipeline",
        "add_stage",
        "save_stage",
        "move_stage",
        "delete_stage",
    ),
    **_each(_SEND, "manager", "save_company", "save_number"),
    # The CRM: every action is limited to the contacts the viewer may see (crm.visibility);
    # a bulk delete or add to campaign is checked for a manager in the service.
    **_each(
        _CRM_LIST,
        "signed_in",
        "load",
        "set_search",
        "set_sort",
        "apply_filters",
        "clear_filters",
        "use_segment",
        "go_page",
        "toggle_row",
        "toggle_page",
        "select_matching",
        "run_bulk",
        "cancel_delete",
        "confirm_delete",
        "cancel_campaign_add",
        "confirm_campaign_add",
        "poll_job",
        "export_all",
        "set_new_open",
        "create_contact",
        "save_segment",
        "delete_segment",
    ),
    **_each(
        _CRM_PROFILE,
        "signed_in",
        "load",
        "start_edit",
        "cancel_edit",
        "save",
        "add_phone",
        "remove_phone",
        "toggle_tag",
        "add_note",
        "opt_out",
        "opt_in",
        "find_merge",
        "ask_merge",
        "cancel_merge",
        "confirm_merge",
        "on_contact_tick",
        "follow_language",
    ),
    **_each(
        _CRM_PANEL,
        "signed_in",
        "open_contact",
        "refresh_contact",
        "start_edit",
        "cancel_edit",
        "save",
        "toggle_tag",
        "add_note",
        "on_contact_tick",
        "relabel",
    ),
    # Imports (the upload included) are a manager's; the page itself opens for anyone.
    **_each(_CRM_IMPORT, "signed_in", "load", "start_over", "set_duplicates"),
    **_each(_CRM_IMPORT, "manager", "upload", "set_target", "start", "poll", "download_failed"),
    **_each(_CRM_SETUP, "signed_in", "load"),
    **_each(
        _CRM_SETUP,
        "manager",
        "create_field",
        "remove_field",
        "add_tag",
        "delete_tag",
        "save_visibility",
    ),
    # The simulated phone writes as a customer into the tenant's own numbers only.
    **_each(_SIM, "manager", "load", "link", "pair", "send"),
    # Opening dialogs is page-local; every change to a number is a manager's.
    **_each(
        _WA,
        "signed_in",
        "load",
        "open_dialog",
        "close_dialog",
        "toggle_pairing",
        "start_rename",
        "cancel_rename",
    ),
    **_each(
        _WA,
        "manager",
        "add_number",
        "connect",
        "disconnect",
        "logout",
        "delete",
        "rename",
        "request_pairing_code",
        "confirm_new_phone",
    ),
    # Automations: rules, dry runs and run logs are managers' (agents cannot edit rules).
    # The signed_in ones only change what the caller's own page shows.
    **_each(
        _AUTO,
        "signed_in",
        "load",
        "set_tab",
        "new_rule",
        "show_list",
        "set_trigger_type",
        "set_trigger_days",
        "set_action_type",
        "add_action",
        "remove_action",
        "set_form_enabled",
        "set_form_stop_after",
        "open_dry_run",
        # The conditions editor: rows and joins of the caller's own unsaved form.
        "add_condition",
        "remove_condition",
        "set_condition_type",
        "set_cond_join",
        "set_group_join",
    ),
    **_each(
        _AUTO,
        "manager",
        "edit_rule",
        "load_menus",
        "save_rule",
        "toggle_rule",
        "duplicate_rule",
        "move_rule",
        "delete_rule",
        "run_dry",
        "open_run_log",
        "filter_runs",
        "rotate_hook_secret",
    ),
    **_each(_HOURS, "signed_in", "set_ooh_enabled", "add_holidays"),
    # Rule templates: opening the dialog shows the code's own texts; using one creates a rule.
    **_each(_TEMPLATES, "signed_in", "open_templates", "set_open"),
    **_each(_TEMPLATES, "manager", "use_template"),
    **_each(_HOURS, "manager", "load_hours", "save_hours", "save_safety"),
    # "Hours for": a number's or department's own hours (its id is checked against the tenant).
    **_each(_HOURS, "manager", "choose_hours_for", "use_company_hours"),
    # Editing the menu form in memory; loading and saving go through managers_only.
    **_each(
        _MENUS,
        "signed_in",
        "new_menu",
        "show_menus",
        "set_row",
        "add_option",
        "add_sub_option",
        "remove_option",
        "set_m_start_new",
        "set_m_enabled",
        "set_m_field",
    ),
    **_each(_MENUS, "manager", "open_menus", "load_menus", "edit_menu", "save_menu", "delete_menu"),
    # The files rules and menus send: listing and uploading are a manager's.
    **_each(_AUTO_FILES, "manager", "load_files", "upload_file"),
    # Any attendant who may see the conversation (hidden: not found).
    **_each(_OWNER, "signed_in", "load_owner", "change_owner"),
}


def permission_of(state_path: str, handler: str) -> Permission | None:
    """The declared permission of ``handler`` on the state ``<module>.<Class>``, if any."""
    if handler in FRAMEWORK_HANDLERS:
        return FRAMEWORK_HANDLERS[handler]
    return HANDLER_PERMISSIONS.get(f"{state_path}.{handler}")
