"""Write the Excel 2003 XML spreadsheets of tests/data, as Excel and HR/LMS systems save them (run to remake them)."""
from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).parent / "data"

PROLOG = ('<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
          '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"\n'
          ' xmlns:o="urn:schemas-microsoft-com:office:office"\n'
          ' xmlns:x="urn:schemas-microsoft-com:office:excel"\n'
          ' xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"\n'
          ' xmlns:html="http://www.w3.org/TR/REC-html40">\n'
          ' <DocumentProperties xmlns="urn:schemas-microsoft-com:office:office"><Author>HR</Author>'
          '</DocumentProperties>\n'
          ' <Styles><Style ss:ID="Default" ss:Name="Normal"><Font ss:FontName="Calibri"/></Style>'
          '<Style ss:ID="s62"><NumberFormat ss:Format="Short Date"/></Style></Styles>\n')

# Excel's export of a plain HR list: numbers, dates and booleans typed; accents and CJK; a name in rich text.
HR_EXPORT = PROLOG + '''\
 <Worksheet ss:Name="Staff">
  <Table ss:ExpandedColumnCount="6" ss:ExpandedRowCount="5" x:FullColumns="1" x:FullRows="1">
   <Column ss:Width="80"/>
   <Row>
    <Cell><Data ss:Type="String">First Name</Data></Cell><Cell><Data ss:Type="String">Last Name</Data></Cell>
    <Cell><Data ss:Type="String">Email</Data></Cell><Cell><Data ss:Type="String">Start Date</Data></Cell>
    <Cell><Data ss:Type="String">Employee No</Data></Cell><Cell><Data ss:Type="String">Active</Data></Cell>
   </Row>
   <Row>
    <Cell><ss:Data ss:Type="String" xmlns="http://www.w3.org/TR/REC-html40"><B>Jo</B><Font html:Color="#FF0000">sé</Font></ss:Data></Cell>
    <Cell><Data ss:Type="String">Müller</Data><Comment ss:Author="HR"><ss:Data xmlns="http://www.w3.org/TR/REC-html40">Check spelling</ss:Data></Comment></Cell>
    <Cell><Data ss:Type="String">jose.muller@example.com</Data></Cell>
    <Cell ss:StyleID="s62"><Data ss:Type="DateTime">2024-09-01T00:00:00.000</Data></Cell>
    <Cell><Data ss:Type="Number">1042</Data></Cell><Cell><Data ss:Type="Boolean">1</Data></Cell>
   </Row>
   <Row>
    <Cell><Data ss:Type="String">太郎</Data></Cell><Cell><Data ss:Type="String">山田</Data></Cell>
    <Cell><Data ss:Type="String">taro@example.jp</Data></Cell>
    <Cell ss:StyleID="s62"><Data ss:Type="DateTime">2024-09-02T08:30:00.000</Data></Cell>
    <Cell><Data ss:Type="Number">1043.5</Data></Cell><Cell><Data ss:Type="Boolean">0</Data></Cell>
   </Row>
   <Row>
    <Cell><Data ss:Type="String">Zoë</Data></Cell><Cell><Data ss:Type="String">O&apos;Brien</Data></Cell>
    <Cell><Data ss:Type="String">zoe@example.ie</Data></Cell>
    <Cell ss:StyleID="s62"><Data ss:Type="DateTime">2024-09-03T00:00:00.000</Data></Cell>
    <Cell><Data ss:Type="Number">1.044E3</Data></Cell><Cell><Data ss:Type="Boolean">1</Data></Cell>
   </Row>
  </Table>
  <WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"><Selected/></WorksheetOptions>
 </Worksheet>
</Workbook>
'''

# An LMS export: a notes sheet first, the learners on a second sheet below a title merged across the columns,
# columns and rows skipped with ss:Index, a row hidden by a filter, and a hidden lookup sheet.
LMS_EXPORT = PROLOG + '''\
 <Worksheet ss:Name="Read me">
  <Table><Row><Cell><Data ss:Type="String">Exported from the course site.</Data></Cell></Row></Table>
 </Worksheet>
 <Worksheet ss:Name="Learners">
  <Table>
   <Row><Cell ss:MergeAcross="2"><Data ss:Type="String">Spring cohort 2025</Data></Cell></Row>
   <Row ss:Index="3">
    <Cell><Data ss:Type="String">Given name</Data></Cell><Cell><Data ss:Type="String">Family name</Data></Cell>
    <Cell><Data ss:Type="String">E-mail address</Data></Cell><Cell><Data ss:Type="String">Tutor</Data></Cell>
   </Row>
   <Row>
    <Cell><Data ss:Type="String">Ana</Data></Cell><Cell><Data ss:Type="String">Gómez</Data></Cell>
    <Cell><Data ss:Type="String">ana@example.es</Data></Cell><Cell><Data ss:Type="String">Dr Ng</Data></Cell>
   </Row>
   <Row ss:Hidden="1">
    <Cell><Data ss:Type="String">Ben</Data></Cell><Cell><Data ss:Type="String">Smith</Data></Cell>
    <Cell><Data ss:Type="String">ben@example.com</Data></Cell><Cell><Data ss:Type="String">Dr Ng</Data></Cell>
   </Row>
   <Row ss:Index="7">
    <Cell><Data ss:Type="String">李</Data></Cell><Cell><Data ss:Type="String">王</Data></Cell>
    <Cell><Data ss:Type="String">li.wang@example.cn</Data></Cell>
   </Row>
   <Row>
    <Cell><Data ss:Type="String">Chloé</Data></Cell>
    <Cell ss:Index="3"><Data ss:Type="String">chloe@example.fr</Data></Cell>
    <Cell><Data ss:Type="String">Ms Roe</Data></Cell>
   </Row>
  </Table>
  <WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"><Selected/></WorksheetOptions>
 </Worksheet>
 <Worksheet ss:Name="Lookups">
  <Table><Row><Cell><Data ss:Type="String">Dr Ng</Data></Cell></Row></Table>
  <WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"><Visible>SheetHidden</Visible></WorksheetOptions>
 </Worksheet>
</Workbook>
'''

FILES = {"hr_export_2003.xls": HR_EXPORT, "lms_export_2003.xml": LMS_EXPORT}


def main() -> None:
    for name, text in FILES.items():
        (DATA / name).write_text(text, encoding="utf-8", newline="\r\n")


if __name__ == "__main__":
    main()
