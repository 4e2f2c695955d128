import Touchpoint
print("touchpoint-bench")
