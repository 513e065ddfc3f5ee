"""Letters and notices (/staff/letters/): templates, a case's documents, the print queue."""

from django.urls import path

from .views import documents, queue, templates

app_name = "letters"

case = "cases/<str:reference>/"
document = case + "<uuid:document_id>/"

urlpatterns = [
    path("templates/", templates.template_list, name="templates"),
    path("templates/<slug:kind>/", templates.template_edit, name="template_edit"),
    path("templates/<slug:kind>/history/", templates.template_history, name="template_history"),
    path(case, documents.case_documents, name="case_documents"),
    path(case + "new/<slug:kind>/", documents.document_new, name="document_new"),
    path(document, documents.document_detail, name="document"),
    path(document + "pdf/", documents.document_pdf, name="document_pdf"),
    path(document + "sent/", documents.document_sent, name="document_sent"),
    path(document + "withdraw/", documents.document_withdraw, name="document_withdraw"),
    path("print-queue/", queue.print_queue, name="print_queue"),
    path("print-queue/pdf/", queue.print_queue_pdf, name="print_queue_pdf"),
]
