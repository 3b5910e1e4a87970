# Wrong: expects 401 for bob, who is logged in: the app rightly answers 403, so the test fails on the working app.
# Expect: your tests fail on the working app
class OwnershipTest(TodoTestCase):
    def test_only_the_owner_reads_the_tasks(self):
        ada, bob = self.account("ada"), self.account("bob")
        path = "/api/v1/accounts/ada/tasks"
        self.assertEqual(self.fetch(path, headers=ada).code, 200)
        self.assertEqual(self.fetch(path, headers=bob).code, 401)
        self.assertEqual(self.fetch(path).code, 401)
