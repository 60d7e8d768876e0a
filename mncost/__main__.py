from mncost._entry import run

run()
