"""The district summary workbook, sheet by sheet: ``figures`` (pure sums, counts and lists),
``plan`` (what the sheets show, decided before any is written), one module per kind of sheet,
and ``save`` (where it goes, never over a copy open in Excel). ``outputs.consolidate`` runs it.
"""
