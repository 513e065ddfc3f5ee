import pytest


@pytest.fixture
def viewer(manager_user):
    """Who is looking at the dashboard: figures start from the cases this user may see (cases.policy)."""
    return manager_user
