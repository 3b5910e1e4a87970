# Wrong: only checks that bob and a request without a login are refused, with either code, so an app
# with 401 and 403 swapped passes too.
# Expect: expect exactly 401 without a login and exactly 403 for someone else
class OwnershipTest(TodoTestCase):
    def test_only_the_owner_reads_the_tasks(self):
        ada, bob = self.account("ada"), self.account("bob")
        path = "/api/v1/accounts/ada/tasks"
        self.assertEqual(self.fetch(path, headers=ada).code, 200)
        self.assertIn(self.fetch(path, headers=bob).code, (401, 403))
        self.assertIn(self.fetch(path).code, (401, 403))
