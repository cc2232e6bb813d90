"""Writes questionnaire.xlsx: the demo questionnaire (questionnaire.json) as a
customer would send it — a cover sheet, a title block, section rows, a drop-down
on the answer column, a formula and formatting — with openpyxl, a writer
independent of Candor. Run from this folder: python3 make_questionnaire_xlsx.py"""

import json

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

with open("questionnaire.json", encoding="utf-8") as f:
    source = json.load(f)

book = Workbook()
cover = book.active
cover.title = "Cover"
cover["A1"] = source["name"]
cover["A2"] = "Answer every question on the Questions sheet; use the drop-down."

sheet = book.create_sheet("Questions")
sheet["A1"] = source["name"]
sheet["A1"].font = Font(bold=True, size=14)
header = ["Ref", "Question", "Vendor response", "Comments", "Characters"]
for col, text in enumerate(header, start=1):
    cell = sheet.cell(row=3, column=col, value=text)
    cell.font = Font(bold=True)
    cell.fill = PatternFill("solid", fgColor="DDEEFF")
row = 4
for section in source["sections"]:
    sheet.cell(row=row, column=1, value=section["name"]).font = Font(italic=True)
    row += 1
    for q in section["questions"]:
        sheet.cell(row=row, column=1, value=q["id"])
        sheet.cell(row=row, column=2, value=q["question"])
        sheet.cell(row=row, column=5, value=f"=LEN(B{row})")
        row += 1
answers = DataValidation(type="list", formula1='"Yes,No,Partially,Not applicable"', allow_blank=True)
sheet.add_data_validation(answers)
answers.add(f"C4:C{row}")
sheet.column_dimensions["B"].width = 70
book.save("questionnaire.xlsx")
