"""The Pipeline page: a board of deals per stage, the deal form, pipeline settings, and the
contact's deals section that the contact profile and the inbox panel mount."""
