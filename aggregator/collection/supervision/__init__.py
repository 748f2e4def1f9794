"""After the data: the problems found at schools, tracked until they are closed (问题整改销号).

A rectification item is one problem found at one school, with what to do and by when. Items come
from the clerk or from the inspectors' list (``listing``), go out on a numbered 督办单 in Annex
4's layout (``order`` declares it, ``outputs.order_sheet`` writes it), are answered by the
documents a school sends (``answers``, recognised as ``collect`` takes them), and are closed by
the clerk (销号) with who, when and why. ``store`` keeps them in the collection's ledger;
``records`` derives each item's state; ``register`` lists them as the register (整改台账) and as
reminders and checks for the rest of the tool. The clerk's verbs on it are
``collection.clerk.supervise``, issuing is ``outputs.orders``, and a face calls them through
``Session.supervision`` (``supervising``).
"""
