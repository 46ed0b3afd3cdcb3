"""The Inbox page: conversation list, chat window, composer and contact panel."""
