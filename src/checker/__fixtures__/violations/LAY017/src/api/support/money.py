def cents(amount: int) -> str:
    return f"{amount / 100:.2f}"
