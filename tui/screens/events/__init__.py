"""The events section (F2): events, invitations, check-in at the door, the reports."""
