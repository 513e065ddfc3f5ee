"""JAG URLs (/jag/): one set of pages for council staff and partner users; what each sees comes from the access
policy (cases.policy) and the group's co-chairs. The action page's path (/jag/actions/<id>/) is also the path the
action's deadline links to (jag.services.actions)."""

from django.urls import path

from .views import actions, agenda, conduct, figures, groups, meetings, minutes, papers

app_name = "jag"

urlpatterns = [
    # The schedule, a meeting (its pack on screen), nominations, moving a meeting.
    path("", meetings.home, name="home"),
    path("meetings/<int:meeting_id>/", meetings.meeting, name="meeting"),
    path("meetings/<int:meeting_id>/nominate/", meetings.nominate, name="nominate"),
    path("nominations/<int:nomination_id>/decide/", meetings.nomination_decide, name="nomination_decide"),
    path("meetings/<int:meeting_id>/move/", meetings.move, name="move"),
    # The agenda, shaped by a co-chair.
    path("meetings/<int:meeting_id>/agenda/", agenda.agenda, name="agenda"),
    path("meetings/<int:meeting_id>/agenda/build/", agenda.build, name="agenda_build"),
    path("meetings/<int:meeting_id>/agenda/add/", agenda.item_add, name="item_add"),
    path("meetings/<int:meeting_id>/agenda/order/", agenda.reorder, name="agenda_reorder"),
    path("items/<int:item_id>/remove/", agenda.item_remove, name="item_remove"),
    # Papers: the pack as a PDF; each agency's pack as the council checks it; sending them.
    path("meetings/<int:meeting_id>/pack.pdf", papers.pack_pdf, name="pack_pdf"),
    path("meetings/<int:meeting_id>/papers/", papers.papers, name="papers"),
    path("meetings/<int:meeting_id>/papers/<int:agency_id>/", papers.agency_pack, name="agency_pack"),
    path("meetings/<int:meeting_id>/papers/send/", papers.send, name="papers_send"),
    # In the meeting.
    path("meetings/<int:meeting_id>/open/", conduct.open_meeting, name="open"),
    path("items/<int:item_id>/", conduct.item, name="item"),
    path("items/<int:item_id>/actions/add/", conduct.action_add, name="action_add"),
    path("meetings/<int:meeting_id>/close/", conduct.close, name="close"),
    # Minutes.
    path("meetings/<int:meeting_id>/minutes/", minutes.minutes, name="minutes"),
    path("meetings/<int:meeting_id>/minutes/edit/", minutes.edit, name="minutes_edit"),
    path("meetings/<int:meeting_id>/minutes.pdf", papers.minutes_pdf, name="minutes_pdf"),
    # Actions between meetings.
    path("actions/", actions.action_list, name="actions"),
    path("actions/<int:action_id>/", actions.action_detail, name="action"),
    # Setting up a group and its members (managers of JAG business).
    path("groups/", groups.groups, name="groups"),
    path("groups/new/", groups.group_edit, name="group_add"),
    path("groups/<int:group_id>/", groups.group, name="group"),
    path("groups/<int:group_id>/edit/", groups.group_edit, name="group_edit"),
    path("members/<int:member_id>/", groups.member_change, name="member_change"),
    # Figures.
    path("figures/", figures.figures, name="figures"),
    path("figures.csv", figures.figures_csv, name="figures_csv"),
]
