"""The case views by name, for navigation and the command palette."""

from __future__ import annotations

from cptui.tui.screens.case_base import CaseScreen
from cptui.tui.screens.case_overview import CaseOverviewScreen
from cptui.tui.screens.core_group import CoreGroupScreen
from cptui.tui.screens.plan import PlanScreen
from cptui.tui.screens.timeline import TimelineScreen

VIEWS: dict[str, type[CaseScreen]] = {
    "case": CaseOverviewScreen,
    "timeline": TimelineScreen,
    "plan": PlanScreen,
    "core_group": CoreGroupScreen,
}
