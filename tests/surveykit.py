"""Survey exports shaped the way the tools write them, for the check-in
import tests and the bench.

Each builder takes answers (``Answer``: one person's questionnaire) and writes
the file one tool would give for them:

- 问卷星 (wjx), "按文本导出": 序号, 提交答卷时间 (text "2024/6/1 7:30:12"),
  所用时间 ("85秒"), 来源, 来源详情, 来自IP ("112.96.3.4(广东-广州)"), then the
  questions numbered ``1、…：``; multiple choice joined by ``┋``, "其他〖…〗"
  for a filled-in other; the province-city-district question as ``省-市-区``.
  As .xlsx, and as .csv in GBK (its 下载 CSV) or UTF-8 with a BOM.
- 腾讯问卷: 编号, 开始答题时间, 结束答题时间 (date-time cells), 答题时长,
  地理位置国家和地区, 地理位置省, 地理位置市, questions as ``Q1.…``; a
  multiple choice spread over one column per option (``Q4.…:发热``) ticked 1/0.
- 金数据: the questions first, then 填写设备, 操作系统, 浏览器, 填写地区, IP,
  提交人, 填写时间, 修改时间; multiple choice joined by ``，``; address as
  ``省 市 区 详细地址``; one column per option ticked 是/否 where asked.
- 麦客: 编号, questions unnumbered, 提交时间 ("2024/06/01 07:31"), 提交IP,
  IP归属地, 访问终端; multiple choice joined by ``|``. As UTF-8 .csv with BOM.
- a class's own sheet: a merged title row, a note row, then 序号, 学号, 姓名,
  体温 ("36.5度"), 有无症状, 是否在校, 14天内去过风险地区 (有/无/Y/N), 备注, and
  填报日期.

Only synthetic people, from the test vault (healthkit's NAMES). ``day_answers``
is the tests' morning; the same morning saved by LibreOffice as .xls and .ods
is in tests/tables/ (``make_table_fixtures.py``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl


@dataclass
class Answer:
    name: str
    at: dt.datetime
    phone: str = ""
    school_number: str = ""
    id_number: str = ""
    temperature: object = "36.5"
    symptoms: Sequence[str] = ()  # option texts as shown in the questionnaire
    place: str = "广东省-广州市-天河区"
    travel: str = "否"
    contact: str = "否"
    isolation: str = "否"
    note: str = ""
    extra: dict[str, object] = field(default_factory=dict)


SYMPTOM_OPTIONS = ("发热", "干咳", "乏力", "咽痛", "腹泻", "无异常")


def _symptom_text(a: Answer, joiner: str) -> str:
    return joiner.join(a.symptoms) if a.symptoms else "无异常"


# -- 问卷星 -----------------------------------------------------------------------------
WJX_HEADERS = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP",
               "1、您的姓名：", "2、学号/工号：", "3、手机号码：", "4、今日体温（℃）：",
               "5、今日身体状况（可多选）：", "6、目前所在地：",
               "7、近14天是否到过中高风险地区？", "8、近14天是否接触过确诊或疑似病例？",
               "9、目前隔离状态：", "10、其他需要说明的情况："]


def wjx_rows(answers: Sequence[Answer]) -> list[list[object]]:
    rows = []
    for n, a in enumerate(answers, 1):
        rows.append([n, _wjx_time(a.at), f"{60 + n}秒", "微信", "N/A",
                     f"112.96.{n % 250}.{n % 200}(广东-广州)", a.name, a.school_number,
                     a.phone, a.temperature, _symptom_text(a, "┋"), a.place, a.travel,
                     a.contact, a.isolation, a.note or "(空)"])
    return rows


def _wjx_time(at: dt.datetime) -> str:
    """"2024/6/1 7:30:12": no leading zeros but in minutes and seconds."""
    return f"{at.year}/{at.month}/{at.day} {at.hour}:{at:%M:%S}"


def write_xlsx(path: Path, rows: Sequence[Sequence[object]], *,
               merged_title: int = 0) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    if merged_title:
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=merged_title)
    book.save(path)
    return path


def write_csv(path: Path, rows: Sequence[Sequence[object]], encoding: str = "utf-8-sig") -> Path:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(
        [["" if c is None else str(c) for c in row] for row in rows])
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def wjx_xlsx(path: Path, answers: Sequence[Answer]) -> Path:
    return write_xlsx(path, [WJX_HEADERS, *wjx_rows(answers)])


def wjx_days_xlsx(path: Path, days: dict[str, Sequence[Answer]], notes: str = "") -> Path:
    """A workbook a secretary keeps: a sheet per day's 问卷星 export, named as
    she names them ("5月31日"), and a sheet of notes when ``notes`` are given."""
    book = openpyxl.Workbook()
    del book["Sheet"]
    for title, answers in days.items():
        sheet = book.create_sheet(title)
        for row in [WJX_HEADERS, *wjx_rows(answers)]:
            sheet.append(row)
    if notes:
        book.create_sheet("说明").append([notes])
    book.save(path)
    return path


def wjx_csv(path: Path, answers: Sequence[Answer], encoding: str = "gbk") -> Path:
    return write_csv(path, [WJX_HEADERS, *wjx_rows(answers)], encoding)


# -- 腾讯问卷 -----------------------------------------------------------------------------
def tencent_xlsx(path: Path, answers: Sequence[Answer]) -> Path:
    options = [f"Q4.今日身体状况（多选）:{o}" for o in SYMPTOM_OPTIONS]
    header = ["编号", "开始答题时间", "结束答题时间", "答题时长", "地理位置国家和地区",
              "地理位置省", "地理位置市", "Q1.姓名", "Q2.学号或工号", "Q3.体温", *options,
              "Q5.当前所在地", "Q6.近14天内是否到过中、高风险地区", "Q7.是否接触过确诊病例",
              "Q8.是否处于隔离期", "Q9.备注"]
    rows: list[list[object]] = [header]
    for n, a in enumerate(answers, 1):
        ticks = [1 if (o in a.symptoms or (o == "无异常" and not a.symptoms)) else 0
                 for o in SYMPTOM_OPTIONS]
        rows.append([n, a.at - dt.timedelta(minutes=2), a.at, f"{100 + n}秒", "中国", "广东",
                     "广州", a.name, a.school_number, a.temperature, *ticks, a.place, a.travel,
                     a.contact, a.isolation, a.note])
    return write_xlsx(path, rows)


# -- 金数据 -----------------------------------------------------------------------------
def jinshuju_xlsx(path: Path, answers: Sequence[Answer]) -> Path:
    header = ["序号", "姓名", "手机号码", "体温", "今日健康状况", "所在地址", "是否到过疫区",
              "是否接触过疑似或确诊人员", "隔离情况", "备注", "填写设备", "操作系统", "浏览器",
              "填写地区", "IP", "提交人", "填写时间", "修改时间"]
    rows: list[list[object]] = [header]
    for n, a in enumerate(answers, 1):
        rows.append([n, a.name, a.phone, a.temperature, _symptom_text(a, "，"), a.place,
                     a.travel, a.contact, a.isolation, a.note, "手机", "Android", "微信",
                     "广东省 广州市", f"14.17.{n}.9", "", a.at.strftime("%Y-%m-%d %H:%M:%S"),
                     a.at.strftime("%Y-%m-%d %H:%M:%S")])
    return write_xlsx(path, rows)


# -- 麦客 -----------------------------------------------------------------------------
def mikecrm_csv(path: Path, answers: Sequence[Answer]) -> Path:
    header = ["编号", "姓名", "手机", "身份证号", "体温", "症状", "目前所在地",
              "14天内有无中高风险地区旅居史", "有无病例接触史", "隔离状态", "提交时间",
              "提交IP", "IP归属地", "访问终端"]
    rows: list[list[object]] = [header]
    for n, a in enumerate(answers, 1):
        rows.append([1000 + n, a.name, a.phone, a.id_number, a.temperature,
                     _symptom_text(a, "|"), a.place, a.travel, a.contact, a.isolation,
                     a.at.strftime("%Y/%m/%d %H:%M"), f"27.38.{n}.1", "广东省广州市", "手机"])
    return write_csv(path, rows, "utf-8-sig")


# -- a class's own sheet -------------------------------------------------------------------
def class_xlsx(path: Path, answers: Sequence[Answer], day: dt.date) -> Path:
    header = ["序号", "学号", "姓名", "体温", "有无症状", "是否在校",
              "14天内去过风险地区", "备注", "填报日期"]
    rows: list[list[object]] = [["软件工程2101班 每日健康打卡"],
                                [f"统计日期：{day.month}月{day.day}日  辅导员：王老师"], [],
                                header]
    for n, a in enumerate(answers, 1):
        rows.append([n, a.school_number, a.name, a.temperature,
                     "、".join(a.symptoms) if a.symptoms else "无", a.place, a.travel,
                     a.note, day])
    return write_xlsx(path, rows, merged_title=len(header))


# -- the tests' morning ----------------------------------------------------------------------
DAY = dt.date(2024, 5, 31)  # yesterday for the test vault's clock (2024-06-01 11:00)
SCHOOL = ("2021001", "2021002", "2021003", "2021004", "2021005")


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute, 12))


def day_answers(day: dt.date = DAY) -> list[Answer]:
    """One morning: 张三 with fever and cough, 李四 normal but answering twice,
    王五 back from a risk area in home quarantine, 赵六 late; 孙七 silent."""
    from fixtures_app import id_number

    return [
        Answer("张三", at(7, 30, day), phone="13800000000", school_number=SCHOOL[0],
               id_number=id_number(order=100), temperature="38.2℃", symptoms=("发热", "干咳")),
        Answer("李四", at(7, 40, day), phone="13800000001", school_number=SCHOOL[1],
               id_number=id_number(order=101), temperature="36.9"),
        Answer("李四", at(8, 5, day), phone="13800000001", school_number=SCHOOL[1],
               id_number=id_number(order=101), temperature="36.6"),
        Answer("王五", at(8, 10, day), phone="13800000002", school_number=SCHOOL[2],
               id_number=id_number(order=102), temperature="36.4", travel="是",
               isolation="居家隔离", place="湖北省-武汉市-洪山区"),
        Answer("赵六", at(10, 45, day), phone="13800000003", school_number=SCHOOL[3],
               id_number=id_number(order=103), temperature="36.5度"),
    ]


def class_answers(day: dt.date = DAY) -> list[Answer]:
    """The morning as a class's sheet asks it: 是否在校 and 有/无/Y/N."""
    answers = day_answers(day)
    answers[0].place = "在校"
    answers[3].place, answers[3].travel = "在家", "有"
    answers[4].temperature, answers[4].travel = "36.5 °C", "N"
    answers[1].travel = answers[2].travel = "无"
    answers[0].travel = "Y"
    return answers


# The morning as each tool's .xlsx (the .xls and .ods in tests/tables/ are these, saved
# by LibreOffice as ``<tool>.xls`` and ``<tool>.ods``).
MORNING = {
    "wjx": lambda path: wjx_xlsx(path, day_answers()),
    "tencent": lambda path: tencent_xlsx(path, day_answers()),
    "class": lambda path: class_xlsx(path, class_answers(), DAY),
}
