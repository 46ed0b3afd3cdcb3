"""Reading CSV files (any CSV the app reads): (English, Português)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "error.csv_encoding_unreadable": (
        "This file's text encoding cannot be read. Save it from the spreadsheet as “CSV UTF-8” and upload it again.",
        "Não foi possível ler a codificação deste arquivo. Salve-o na planilha como “CSV UTF-8” e envie de novo.",
    ),
    "error.csv_too_many_rows": (
        "The file has more than {limit} rows.",
        "O arquivo tem mais de {limit} linhas.",
    ),
    "error.csv_malformed": (
        "The file is not a valid CSV (near line {line}: check the quotes).",
        "O arquivo não é um CSV válido (perto da linha {line}: confira as aspas).",
    ),
    "csv.tab": ("tab", "tabulação"),
}
