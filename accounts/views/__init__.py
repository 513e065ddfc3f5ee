"""Sign-in screens (issue 11): two steps, lockout page, idle timeout, two-factor set-up, managers' security pages."""

from .security import person_reset_two_factor, security, security_people, unlock
from .signin import LogoutView, PasswordSetView, StaffLoginView, keep_alive, locked_out, login_code
from .two_factor import two_factor, two_factor_remove

__all__ = [
    "LogoutView", "PasswordSetView", "StaffLoginView", "keep_alive", "locked_out", "login_code",
    "person_reset_two_factor", "security", "security_people", "two_factor", "two_factor_remove", "unlock",
]
