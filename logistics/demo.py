"""What the demo data of every app shares: the neighbour school's code and the
holidays on which the demo school's records are quiet."""

# Public holidays the school is closed (month, day): few repairs are filed.
HOLIDAYS = {(1, 1), *((10, d) for d in range(1, 8)), *((5, d) for d in range(1, 6))}


NEIGHBOUR_CODE = "htsx"
