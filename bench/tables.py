"""How long reading a spreadsheet takes, in every format the importers accept.

Run from the repository root:  python -m bench.tables

Builds a 3,000-row survey export (问卷星's columns) and a 30,000-row roster
with openpyxl, has LibreOffice (``soffice``, when installed) save each as .xls
and .ods, writes the CSVs (UTF-8 with a BOM, GB 18030, UTF-16), then prints
for each file the time ``tables.read_sheet`` takes (sniffing, the scan that
bounds the sheet, calamine or the CSV reader, header detection) beside
openpyxl's read-only load of the same .xlsx, which is what the importers used
before. Each figure is the best of three. Not a test: nothing is asserted.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from branchtool import tables
from branchtool.records.person import PERSON
from branchtool.services import survey_headers

SURVEY = ["序号", "提交答卷时间", "所用时间", "来源", "1、姓名", "2、手机号码", "3、今日体温",
          "4、是否有以下症状", "5、当前所在地", "6、所在省份", "7、近14天是否到过中高风险地区"]
ROSTER = ["序号", "姓名", "性别", "身份证号码", "手机号码", "人员类别", "政治面貌", "入党时间",
          "出生日期", "民族", "学历", "党小组", "单位", "宿舍", "备注"]


def survey_rows(n: int) -> list[list[object]]:
    start = dt.datetime(2024, 6, 1, 7, 0)
    return [[i, start + dt.timedelta(seconds=7 * i), f"{30 + i % 90}秒", "微信",
             f"学生{i:05d}", 13800000000 + i, 36.0 + (i % 15) / 10, "无", "在校", "", "否"]
            for i in range(1, n + 1)]


def roster_rows(n: int) -> list[list[object]]:
    return [[i, f"党员{i:05d}", "男" if i % 2 else "女", f"110105199{i % 10}0101{i % 1000:03d}X",
             f"139{i:08d}", "学生", "中共党员", dt.date(2015 + i % 8, 1 + i % 12, 1),
             "1995-03-07", "汉族", "大学本科", f"第{i % 9 + 1}党小组", "计算机学院",
             f"{i % 30 + 1}号楼{i % 500}", ""] for i in range(1, n + 1)]


def write_xlsx(path: Path, headers: list[str], rows: list[list[object]]) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Sheet1")
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)


def write_csv(path: Path, headers: list[str], rows: list[list[object]], encoding: str) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))


def best(run: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def openpyxl_read(path: Path) -> int:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = sum(1 for _ in book.active.iter_rows(values_only=True))
    book.close()
    return rows


def main() -> None:
    soffice = shutil.which("soffice")
    with tempfile.TemporaryDirectory() as work_dir:
        work = Path(work_dir)
        cases = [("survey", 3_000, SURVEY, survey_rows, survey_headers.header_score),
                 ("roster", 30_000, ROSTER, roster_rows, PERSON.match_header)]
        print(f"{'file':<28}{'rows':>8}{'size':>10}{'read_sheet':>12}{'openpyxl':>10}")
        for stem, n, headers, make, match in cases:
            rows = make(n)
            source = work / f"{stem}.xlsx"
            write_xlsx(source, headers, rows)
            files = [source]
            if soffice:
                for fmt in ("xls", "ods"):
                    subprocess.run([soffice, f"-env:UserInstallation=file://{work}/profile",
                                    "--headless", "--convert-to", fmt, "--outdir", str(work),
                                    str(source)], check=True, capture_output=True, timeout=600)
                    files.append(work / f"{stem}.{fmt}")
            for encoding, tag in (("utf-8-sig", "utf8-bom"), ("gb18030", "gb18030"),
                                  ("utf-16", "utf16")):
                path = work / f"{stem}-{tag}.csv"
                write_csv(path, headers, rows, encoding)
                files.append(path)
            for path in files:
                seconds = best(lambda p=path, m=match: tables.read_sheet(p, m))
                theirs = (f"{best(lambda p=path: openpyxl_read(p)):>9.2f}s"
                          if path.suffix == ".xlsx" else f"{'':>10}")
                print(f"{path.name:<28}{n:>8}{path.stat().st_size / 1e6:>8.1f}MB"
                      f"{seconds:>11.2f}s{theirs}")
        if not soffice:
            print("(soffice not found: no .xls or .ods; apt-get install libreoffice-calc-nogui)")


if __name__ == "__main__":
    main()
