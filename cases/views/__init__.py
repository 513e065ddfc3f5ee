"""Staff screens (/staff/): pages in pages.py, the forms that work a case in casework.py."""
