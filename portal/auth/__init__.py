"""Accounts: register, verify e-mail, log in and out, reset and change the password."""
