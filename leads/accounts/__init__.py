"""Staff sign-in: the second factor (TOTP and backup codes) and the gate that asks for it."""
