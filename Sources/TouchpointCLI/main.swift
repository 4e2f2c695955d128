import Touchpoint
print("touchpoint")
