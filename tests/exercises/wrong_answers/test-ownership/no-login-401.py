# Wrong: never sends a request without a login, so an app that needs no login passes too.
# Expect: expect 401
class OwnershipTest(TodoTestCase):
    def test_only_the_owner_reads_the_tasks(self):
        ada, bob = self.account("ada"), self.account("bob")
        path = "/api/v1/accounts/ada/tasks"
        self.assertEqual(self.fetch(path, headers=ada).code, 200)
        self.assertEqual(self.fetch(path, headers=bob).code, 403)
