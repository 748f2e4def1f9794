"""The Excel side: the engine's reader and checks on workbooks open in Microsoft Excel, via xlwings.

Only this package imports xlwings, and only when it is called: the engine, the CLI and the
desktop work without Excel, and where Excel is absent (Linux, WPS-only PCs) every function here
says so in one Chinese sentence and points to the plain-file path.
"""
