"""The CRM pages: the contact list, a contact's profile, the CSV import and the CRM setup."""
