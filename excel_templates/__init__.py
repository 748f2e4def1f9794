"""The declared forms, the plans and the sample roster that ship with dudao, as package data.

No code lives here: ``aggregator/resources.py`` finds these files through ``importlib.resources``
so that a wheel, ``pip install .``, an editable install and the frozen bundle all carry them.
"""
