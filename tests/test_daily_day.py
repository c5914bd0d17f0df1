"""The daily report carries the day (issue 17): each alert with how it was
handled (the note in full, a count in standard), observations begun and
ending, the day's care visits and support, each current notice's relays."""
# ruff: noqa: F811  (pytest fixtures are parameters named like the imports)

from __future__ import annotations

import datetime as dt

from fixtures_app import chinese  # noqa: F401
from healthkit import TODAY, Watch, clock, watch  # noqa: F401

from branchtool import reports
from branchtool.reports import markdown


def render(watch: Watch, redaction: str) -> str:
    return markdown.render(reports.build(watch.session, "daily", TODAY, redaction=redaction))


def test_the_daily_report_carries_the_day(watch: Watch) -> None:
    s = watch.session
    zhang, li, wang = watch.ids[:3]
    s.health.record(TODAY, zhang, {"temperature": "38.4"})
    [alert] = [a for a in s.alerts.open() if a["person"] == zhang]
    s.alerts.handle(alert["id"], "已到发热门诊")
    s.contacts.add({"exposure_date": TODAY - dt.timedelta(days=1), "start_date": TODAY,
                    "contact_type": "密接", "observation_type": "居家隔离"}, person_id=wang)
    case = s.care.add_case({"person": li, "hardship": "economic,illness", "severity": "serious",
                            "description": "父亲住院", "responsible": zhang,
                            "opened_on": TODAY - dt.timedelta(days=5),
                            "next_visit": TODAY + dt.timedelta(days=7)})
    s.care.add_visit(case, {"date": TODAY, "method": "home", "visitor": zhang,
                            "findings": "送去慰问金", "support": ["money", "counselling"],
                            "amount": "800"})
    nid = s.notices.add({"issued_on": TODAY, "title": "关于做好疫情防控工作的通知"})
    s.notices.relay(nid, watch.ids[:3], "wechat_group", TODAY)
    s.notices.respond(nid, zhang, "acknowledged")

    full = render(watch, "full")
    assert "## 六、预警处置" in full and "已到发热门诊" in full
    assert "| 1 | 张三 | 发热 | 2024年6月1日 | 已处置 | 2024年6月1日 | 已到发热门诊 |" in full
    assert "| 1 | 王五 | 居家隔离 | 2024年6月1日 | 2024年6月14日 | 今日开始 |" in full
    assert "今日走访 1 次，发放金额 800.00 元。" in full
    assert "| 1 | 李四 | 上门 | 慰问金、心理疏导 | 800.00 元 | 送去慰问金 |" in full
    assert "| 1 | 关于做好疫情防控工作的通知 | 3/5 | 1/5 |" in full

    standard = render(watch, "standard")
    assert "已到发热门诊" not in standard and "送去慰问金" not in standard
    assert "另有处置说明 1 条，本脱敏级别不列出内容。" in standard
    assert "| 1 | 李四 | 上门 | 慰问金、心理疏导 | 800.00 元 |" in standard

    counts = render(watch, "counts")
    for name in ("张三", "李四", "王五"):
        assert name not in counts
    assert "本日涉及预警 1 条：待处置 0，已处置 1，已解除 0。" in counts
    assert "今日开始观察 1 人，今日观察期满 0 人。" in counts
