#!/usr/bin/env python3
"""Writes the big-data comparison fixtures under tests/fixtures/, shaped like the lists county
offices receive: a GBK CSV with a title row, full-width digits, a 15-digit first-generation ID,
+86 phones, a duplicate and blank trailing rows; an XLSX with a merged title and a two-row merged
header; a UTF-8 CSV with bad rows. The persons they name are created by crates/web/tests/lists.rs
with the same ID numbers (region 411702, born 1985-03-12, serial n; the 15-digit one born 1965).

    pip install openpyxl && python3 scripts/make-list-fixtures.py
"""
import os

import openpyxl

W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
C = "10X98765432"


def resident(region, birth, serial):
    first = f"{region}{birth}{serial:03d}"
    return first + C[sum(int(d) * w for d, w in zip(first, W)) % 11]


def full_width(text):
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in text)


def first_generation(id18):
    return id18[:6] + id18[8:17]


A = resident("411702", "19850312", 1)  # 张三
B = resident("411702", "19850312", 2)  # 李四
C_ = resident("411702", "19850312", 3)  # 王五
E = resident("411702", "19650312", 5)  # 钱七, 15 digits in the list
STRANGER = resident("411721", "19900101", 9)

here = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures")
os.makedirs(here, exist_ok=True)

rows = [
    "驻马店市通信大数据推送名单（3月15日）,,,,",
    "序号,姓名,身份证号码,手机号码,现住址",
    f"1,张三,{full_width(A)},+86 138-0000-0001,河南省驻马店市驿城区人民路1号",
    "2,李四,,13800000002,驻马店市驿城区老街",
    "3,赵六,,138 0000 0004,",
    f"4,钱七,{first_generation(E)},,驿城区",
    f"5,张三,{A},,",
    f"6,吴十,{STRANGER},13912345678,西平县",
    ",,,,",
    ",,,,",
]
with open(os.path.join(here, "list-gbk.csv"), "wb") as f:
    f.write(("\r\n".join(rows) + "\r\n").encode("gbk"))

book = openpyxl.Workbook()
ws = book.active
ws.title = "来驻人员"
ws.merge_cells("A1:E1")
ws["A1"] = "驻马店市来驻返驻人员排查名单"
ws.merge_cells("A2:A3")
ws["A2"] = "序号"
ws.merge_cells("B2:B3")
ws["B2"] = "姓名"
ws.merge_cells("C2:D2")
ws["C2"] = "证件信息"
ws["C3"] = "证件类型"
ws["D3"] = "证件号码"
ws.merge_cells("E2:E3")
ws["E2"] = "联系电话"
ws.append([1, "王五", "居民身份证", C_, 13800000003])
ws.append([2, "John Smith", "护照", "E12345678", "+86 139 0000 0000"])
ws.append([3, "李四", "身份证", B, None])
book.save(os.path.join(here, "list-merged.xlsx"))

bad = [
    "姓名,身份证号,手机号,住址",
    f"张三,{A},13800000001,驿城区",
    f"李四,{B[:-1]}{'0' if B[-1] != '0' else '1'},13800000002,驿城区",
    "王五,,1380000000,驿城区",
    "赵6,,13800000004,驿城区",
    ",,,西平县",
]
with open(os.path.join(here, "list-bad-rows.csv"), "w", encoding="utf-8") as f:
    f.write("\n".join(bad) + "\n")
print("wrote", sorted(os.listdir(here)))
