// exceljs, loaded on first use: importing it costs every command about 300 ms of start-up, and most
// commands (and most spend files, which are CSV) never touch a workbook.
import type ExcelJS from 'exceljs';

export async function loadExcelJS(): Promise<typeof ExcelJS> {
  return (await import('exceljs')).default;
}
