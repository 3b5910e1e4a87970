# Wrong: never reads the tasks as their owner, so an app that lets nobody in passes too.
# Expect: read your own tasks with your login cookie and expect 200
class OwnershipTest(TodoTestCase):
    def test_only_the_owner_reads_the_tasks(self):
        self.account("ada")
        bob = self.account("bob")
        path = "/api/v1/accounts/ada/tasks"
        self.assertEqual(self.fetch(path, headers=bob).code, 403)
        self.assertEqual(self.fetch(path).code, 401)
