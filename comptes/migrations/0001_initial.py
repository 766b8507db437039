"""Access requests and CGU acceptances move from the ground app (label `ror`) to `comptes`.

Their tables stay where they are (`ror_demandeacces`, `ror_acceptationcgu`): only Django's
state moves, so an existing database needs no change.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('repertoire', '0002_initial'),
        ('ror', '0002_acceptationcgu_demandeacces'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AcceptationCGU',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('version', models.CharField(max_length=20)),
                        ('acceptee_le', models.DateTimeField(auto_now_add=True)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='acceptations_cgu', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'acceptation des CGU',
                        'verbose_name_plural': 'acceptations des CGU',
                        'ordering': ['-acceptee_le'],
                        'db_table': 'ror_acceptationcgu',
                    },
                ),
                migrations.CreateModel(
                    name='DemandeAcces',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('prenom', models.CharField(max_length=150, verbose_name='prénom')),
                        ('nom', models.CharField(max_length=150)),
                        ('email', models.EmailField(max_length=254, verbose_name='adresse électronique professionnelle')),
                        ('fonction', models.CharField(blank=True, max_length=120)),
                        ('role', models.CharField(choices=[('consultant', 'Consultant (lecture seule)'), ('referent', 'Référent de la structure'), ('directeur', 'Directeur de la structure')], max_length=20, verbose_name='rôle demandé')),
                        ('justification', models.TextField()),
                        ('statut', models.CharField(choices=[('en_attente', 'En attente'), ('acceptee', 'Acceptée'), ('refusee', 'Refusée')], db_index=True, default='en_attente', max_length=20)),
                        ('cree_le', models.DateTimeField(auto_now_add=True, verbose_name='reçue le')),
                        ('traitee_le', models.DateTimeField(blank=True, null=True, verbose_name='traitée le')),
                        ('motif_refus', models.TextField(blank=True, verbose_name='motif du refus')),
                        ('compte', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='demandes_acces', to=settings.AUTH_USER_MODEL)),
                        ('structure', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='repertoire.structure')),
                        ('traitee_par', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': "demande d'accès",
                        'verbose_name_plural': "demandes d'accès",
                        'ordering': ['cree_le'],
                        'db_table': 'ror_demandeacces',
                    },
                ),            ],
            database_operations=[],
        ),
    ]
